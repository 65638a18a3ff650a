"""NOTES.txt renders for a value set and its client configuration snippet is valid JSON with the
MCP URL. Reads the rendered notes (YAML {notes: text}) on stdin."""
import json
import re
import sys

import yaml

notes = yaml.safe_load(sys.stdin)["notes"]
lines = notes.splitlines()
start = next(i for i, line in enumerate(lines) if line.strip() == "{")
end = next(i for i in range(start, len(lines)) if lines[i] == "     }")
config = json.loads("\n".join(lines[start:end + 1]))
url = config["mcpServers"]["airflow"]["url"]
assert re.match(r"^https?://[^/]+/", url), url
assert "helm test" in notes and "MCP URL" in notes, "notes lack the check and URL steps"
print(f"ok   client config parses; url {url}; headers {sorted(config['mcpServers']['airflow'].get('headers', {}))}")
