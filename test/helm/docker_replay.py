"""Replay the Dockerfile without a Docker engine, so a broken Dockerfile fails CI.

On a clean copy of the repository (`git archive` of a commit, or of the work tree's tracked and
untracked-but-not-ignored files), filtered by .dockerignore like a real build context:
  * parse the Dockerfile (ARG, FROM ... AS, WORKDIR, COPY [--from], RUN, ENV, LABEL, USER,
    EXPOSE, STOPSIGNAL, HEALTHCHECK, CMD) and check the image rules (multi-stage, pinned base,
    numeric non-root USER, EXPOSE, STOPSIGNAL SIGTERM, OCI labels, exec-form CMD);
  * give each stage its own root directory and replay it: every COPY source must exist in the
    context or in the named stage, RUN steps run in WORKDIR with the stage's ENV and the base
    image's Node version (installed from npm, taken from the FROM tag);
  * in the final stage: no devDependencies, files not writable by the USER; run CMD as that
    numeric user (when root) with the image ENV, wait for /readyz 200, run the HEALTHCHECK,
    send STOPSIGNAL and expect a clean exit.
RUN steps must use paths relative to WORKDIR (the replay maps / to a stage directory).
"""
import argparse
import fnmatch
import glob
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

RESULTS = []


def result(ok, what):
    RESULTS.append((ok, what))
    print(f"{'PASS' if ok else 'FAIL'}  {what}", flush=True)
    return ok


def die(what):
    result(False, what)
    summary()


def summary():
    failed = [w for ok, w in RESULTS if not ok]
    print(f"\n== docker replay: {len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    for w in failed:
        print(f"   failed: {w}")
    print(f"{len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


# --------------------------------------------------------------------------------------------
# Dockerfile parsing
# --------------------------------------------------------------------------------------------
def parse_dockerfile(text):
    lines, buf = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        instr, _, rest = buf.partition(" ")
        lines.append((instr.upper(), rest.strip()))
        buf = ""
    return lines


def substitute(s, variables):
    def repl(m):
        name = m.group(1) or m.group(2)
        return variables.get(name, "")

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", repl, s)


def split_flags(args):
    flags, words = {}, shlex.split(args)
    while words and words[0].startswith("--"):
        k, _, v = words.pop(0)[2:].partition("=")
        flags[k] = v
    return flags, words


def kv_pairs(args):
    words = shlex.split(args)
    if words and "=" not in words[0]:  # legacy `ENV KEY value`
        return {words[0]: " ".join(words[1:])}
    return dict(w.split("=", 1) for w in words)


# --------------------------------------------------------------------------------------------
# .dockerignore (moby patternmatcher semantics: last match wins, a pattern matching a parent
# directory matches the path, `**` spans directories, `!` re-includes)
# --------------------------------------------------------------------------------------------
def load_dockerignore(path):
    pats = []
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            neg = line.startswith("!")
            p = os.path.normpath(line[1:] if neg else line).lstrip("/")
            pats.append((neg, pattern_regex(p)))
    return pats


def pattern_regex(p):
    out, i = "", 0
    while i < len(p):
        if p.startswith("**", i):
            i += 2
            if p.startswith("/", i):
                i += 1
                out += "(.*/)?"
            else:
                out += ".*"
        elif p[i] == "*":
            out += "[^/]*"
            i += 1
        elif p[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(p[i])
            i += 1
    return re.compile(f"^{out}$")


def ignored(rel, pats):
    parts = rel.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for neg, rx in pats:
        if any(rx.match(c) for c in candidates):
            excluded = not neg
    return excluded


# --------------------------------------------------------------------------------------------
def clean_copy(repo, ref, dest):
    os.makedirs(dest)
    if ref == "WORKTREE":
        files = subprocess.run(["git", "-C", repo, "ls-files", "-co", "--exclude-standard", "-z"],
                               check=True, capture_output=True).stdout.decode().split("\0")
        for f in filter(None, files):
            src = os.path.join(repo, f)
            if os.path.isfile(src):
                os.makedirs(os.path.dirname(os.path.join(dest, f)), exist_ok=True)
                shutil.copy2(src, os.path.join(dest, f))
        return f"work tree of {repo}"
    archive = subprocess.run(["git", "-C", repo, "archive", "--format=tar", ref], check=True, capture_output=True).stdout
    tar_path = dest + ".tar"
    open(tar_path, "wb").write(archive)
    with tarfile.open(tar_path) as t:
        t.extractall(dest, filter="data")
    os.remove(tar_path)
    sha = subprocess.run(["git", "-C", repo, "rev-parse", "--short", ref], capture_output=True, text=True).stdout.strip()
    return f"git archive {ref} ({sha})"


def build_context(copy_dir, context_dir):
    pats = load_dockerignore(os.path.join(copy_dir, ".dockerignore"))
    n = 0
    for dirpath, _, files in os.walk(copy_dir):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), copy_dir)
            if not ignored(rel, pats):
                os.makedirs(os.path.join(context_dir, os.path.dirname(rel)), exist_ok=True)
                shutil.copy2(os.path.join(copy_dir, rel), os.path.join(context_dir, rel))
                n += 1
    return pats, n


def base_node(image, cache_dir):
    """The FROM image's Node version, installed from npm (package `node`), as a bin directory."""
    m = re.match(r"^node:(\d+\.\d+\.\d+)(-[\w.-]+)?(@sha256:[0-9a-f]{64})?$", image)
    if not m:
        return None, None
    version = m.group(1)
    prefix = os.path.join(cache_dir, f"node-{version}")
    binary = os.path.join(prefix, "node_modules", ".bin", "node")
    if not os.path.exists(binary):
        subprocess.run(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", f"node@{version}"],
                       check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    return version, (os.path.dirname(binary), out)


def copy_into(src, dest):
    if os.path.isdir(src):
        os.makedirs(dest, exist_ok=True)
        shutil.copytree(src, dest, dirs_exist_ok=True, symlinks=True)
    else:
        if os.path.isdir(dest):
            dest = os.path.join(dest, os.path.basename(src))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy2(src, dest)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except OSError:
        return None, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--ref", default="HEAD", help="commit to archive, or WORKTREE for the work tree")
    ap.add_argument("--worktree", action="store_true", help="same as --ref WORKTREE")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    ref = "WORKTREE" if args.worktree else args.ref
    repo = os.path.abspath(args.repo)
    work = tempfile.mkdtemp(prefix="airflow-mcp-docker-replay.")
    os.chmod(work, 0o755)
    cache = os.path.join(repo, ".cache", "docker-replay")
    os.makedirs(cache, exist_ok=True)
    t0 = time.time()
    try:
        run_replay(repo, ref, work, cache)
    finally:
        if not args.keep:
            subprocess.run(["chmod", "-R", "u+w", work])
            shutil.rmtree(work, ignore_errors=True)
        print(f"(replay took {time.time() - t0:.0f}s)")
    summary()


def run_replay(repo, ref, work, cache):
    src_copy = os.path.join(work, "repo")
    what = clean_copy(repo, ref, src_copy)
    result(True, f"clean copy: {what}")
    dockerfile = os.path.join(src_copy, "Dockerfile")
    if not os.path.exists(dockerfile):
        die("Dockerfile exists in the clean copy")
    result(os.path.exists(os.path.join(src_copy, ".dockerignore")), ".dockerignore exists")
    context = os.path.join(work, "context")
    os.makedirs(context)
    pats, n = build_context(src_copy, context)
    result(True, f"build context after .dockerignore: {n} files")
    leaks = [p for p in ("node_modules/x", ".git/config", ".cache/bin/helm", "dist/main.js", "test/unit/a.test.ts",
                         ".env", "coverage/x")
             if not ignored(p, pats)]
    result(not leaks, f".dockerignore keeps node_modules, .git, .cache, dist, tests out of the context{' (leaks: ' + ', '.join(leaks) + ')' if leaks else ''}")

    instructions = parse_dockerfile(open(dockerfile).read())
    global_args, stages, order = {}, {}, []
    stage = None
    for instr, rest in instructions:
        if instr == "ARG" and stage is None:
            k, _, v = rest.partition("=")
            global_args[k.strip()] = v.strip().strip('"')
            continue
        if instr == "FROM":
            flags, words = split_flags(substitute(rest, global_args))
            image = words[0]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else f"stage{len(order)}"
            root = os.path.join(work, "stages", name)
            os.makedirs(root)
            stage = {"name": name, "image": image, "root": root, "workdir": "/", "env": {}, "args": dict(global_args),
                     "user": None, "cmd": None, "expose": [], "labels": {}, "stopsignal": None, "healthcheck": None}
            stages[name] = stage
            order.append(name)
            pinned = bool(re.search(r":\d+\.\d+\.\d+", image) or "@sha256:" in image) and not image.endswith(":latest")
            result(pinned, f"[{name}] FROM {image} is pinned to an exact version")
            version, node = base_node(image, cache)
            stage["node"] = node
            if node:
                result(node[1] == f"v{version}", f"[{name}] base image Node {version} available for the replay ({node[1]})")
            continue
        if stage is None:
            die(f"{instr} before FROM")
        variables = {**stage["args"], **stage["env"]}
        if instr == "ARG":
            k, _, v = rest.partition("=")
            stage["args"].setdefault(k.strip(), v.strip().strip('"'))
        elif instr == "WORKDIR":
            stage["workdir"] = os.path.normpath(os.path.join(stage["workdir"], substitute(rest, variables)))
            os.makedirs(stage["root"] + stage["workdir"], exist_ok=True)
        elif instr == "ENV":
            stage["env"].update({k: substitute(v, variables) for k, v in kv_pairs(rest).items()})
        elif instr == "LABEL":
            stage["labels"].update({k: substitute(v, variables) for k, v in kv_pairs(rest).items()})
        elif instr in ("USER", "STOPSIGNAL"):
            stage[instr.lower()] = substitute(rest, variables)
        elif instr == "EXPOSE":
            stage["expose"] += rest.split()
        elif instr in ("CMD", "ENTRYPOINT"):
            stage["cmd" if instr == "CMD" else "entrypoint"] = rest
        elif instr == "HEALTHCHECK":
            stage["healthcheck"] = rest
        elif instr == "COPY" or instr == "ADD":
            flags, words = split_flags(substitute(rest, variables))
            if rest.lstrip().startswith("["):
                words = json.loads(rest[rest.index("["):])
            *sources, dest = words
            base = stages[flags["from"]]["root"] if "from" in flags else context
            if "from" in flags and flags["from"] not in stages:
                die(f"[{stage['name']}] COPY --from={flags['from']}: no such stage")
            dest_path = os.path.join(stage["root"] + stage["workdir"], dest) if not dest.startswith("/") else stage["root"] + dest
            if len(sources) > 1 or dest.endswith("/"):
                os.makedirs(dest_path, exist_ok=True)
            for s in sources:
                pattern = os.path.join(base, s.lstrip("/"))
                matches = glob.glob(pattern)
                origin = f"stage {flags['from']}" if "from" in flags else "build context"
                if not result(bool(matches), f"[{stage['name']}] COPY source {s} exists in the {origin}"):
                    continue
                for m in matches:
                    copy_into(m, dest_path)
        elif instr == "RUN" and rest.startswith("apt-get "):
            # System packages come from the base image's distribution; the host stands in for it (.ci/run
            # installs them), and nothing is installed or removed on the host from here.
            m = re.search(r"apt-get install ([^&;|]*)", rest)
            pkgs = [w for w in (m.group(1).split() if m else []) if not w.startswith("-")]
            missing = [p for p in pkgs if subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True,
                                                           text=True).stdout.strip() != "install ok installed"]
            result(bool(pkgs) and not missing, f"[{stage['name']}] RUN apt-get install {' '.join(pkgs)}: installed on the "
                   f"host standing in for the base image{' (missing: ' + ', '.join(missing) + ')' if missing else ''}")
        elif instr == "RUN":
            # The host environment carries registry, proxy and CA settings (e.g. NODE_EXTRA_CA_CERTS).
            env = {k: v for k, v in os.environ.items() if not k.startswith(("npm_lifecycle", "npm_package"))}
            env.update(stage["env"])
            if stage.get("node"):
                env["PATH"] = stage["node"][0] + os.pathsep + env["PATH"]
            cmd = json.loads(rest) if rest.startswith("[") else ["sh", "-c", rest]
            t = time.time()
            p = subprocess.run(cmd, cwd=stage["root"] + stage["workdir"], env=env, capture_output=True, text=True)
            ok = result(p.returncode == 0, f"[{stage['name']}] RUN {rest[:90]} ({time.time() - t:.0f}s)")
            if not ok:
                print((p.stdout + p.stderr)[-4000:])
                die(f"[{stage['name']}] stopped at a failing RUN")
        else:
            result(instr in ("SHELL", "VOLUME", "ONBUILD"), f"[{stage['name']}] instruction {instr} understood")

    final = stages[order[-1]]
    static_checks(final, order, src_copy)
    run_final(final)


def static_checks(final, order, src_copy):
    result(len(order) >= 2, f"multi-stage build ({len(order)} stages: {', '.join(order)})")
    user = (final["user"] or "").split(":")
    result(bool(user[0]) and user[0].isdigit() and int(user[0]) != 0,
           f"final stage USER is numeric and not root ({final['user']})")
    result("8000" in [e.split("/")[0] for e in final["expose"]], f"EXPOSE 8000 ({' '.join(final['expose'])})")
    result(final["stopsignal"] == "SIGTERM", f"STOPSIGNAL SIGTERM ({final['stopsignal']})")
    need = ["org.opencontainers.image.title", "org.opencontainers.image.version", "org.opencontainers.image.licenses",
            "org.opencontainers.image.revision"]
    missing = [k for k in need if not final["labels"].get(k)]
    result(not missing, f"OCI labels present{' (missing ' + ', '.join(missing) + ')' if missing else ''}")
    pkg = json.load(open(os.path.join(src_copy, "package.json")))
    result(final["labels"].get("org.opencontainers.image.version") == pkg["version"],
           f"org.opencontainers.image.version default equals package.json version {pkg['version']}")
    result(bool(final["cmd"]) and final["cmd"].startswith("["), f"CMD in exec form ({final['cmd']})")
    # The bundle carries every dependency: no node_modules in the image (the MCP calls made to the started
    # CMD below prove nothing is missing).
    workdir = final["root"] + final["workdir"]
    result(not os.path.exists(os.path.join(workdir, "node_modules")), "final stage has no node_modules (dependencies are bundled)")
    result(os.path.exists(os.path.join(workdir, "dist", "main.js")), "final stage has the bundle dist/main.js")
    major = re.match(r"node:(\d+)", final["image"])
    result(bool(major) and major.group(1) == "24", f"runtime is Node 24 LTS ({final['image']})")


def mcp_post(port, message):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/mcp", data=json.dumps(message).encode(), method="POST",
                                 headers={"content-type": "application/json", "accept": "application/json, text/event-stream",
                                          "mcp-protocol-version": "2025-06-18"})
    with urllib.request.urlopen(req, timeout=5) as r:
        body = r.read().decode()
    data = [line[5:].strip() for line in body.splitlines() if line.startswith("data:")]
    return json.loads(data[0] if data else body)


def mcp_tools_list(port):
    """Initialize, then tools/list, as a 2025-era client does (the SDK's path, then the direct one)."""
    try:
        init = mcp_post(port, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "docker-replay", "version": "1"}}})
        if "result" not in init:
            return 0
        return len(mcp_post(port, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})["result"]["tools"])
    except Exception as e:  # reported as a failed check with the count 0
        print(f"MCP call failed: {e}")
        return 0


def run_final(final):
    root, workdir = final["root"], final["root"] + final["workdir"]
    # Nothing in the image is writable by the service user: prove it needs no writes.
    subprocess.run(["chmod", "-R", "a-w,a+rX", root], check=True)
    uid, _, gid = (final["user"] or "").partition(":")
    as_user = []
    node_bin = final["node"][0]
    if os.geteuid() == 0 and uid.isdigit() and shutil.which("setpriv"):
        as_user = ["setpriv", f"--reuid={uid}", f"--regid={gid or uid}", "--clear-groups"]
        # The base image's node, where that user can reach it (the cache may sit under a private path).
        node_bin = os.path.join(os.path.dirname(root), "base-node-bin")
        os.makedirs(node_bin)
        shutil.copy2(os.path.realpath(os.path.join(final["node"][0], "node")), os.path.join(node_bin, "node"))
        os.chmod(node_bin, 0o755)
        os.chmod(os.path.dirname(root), 0o755)
    result(bool(as_user) or os.geteuid() != 0, f"CMD runs as USER {final['user']}" + (" via setpriv" if as_user else " (not root: as the current user)"))
    port = free_port()
    env = {"PATH": node_bin + os.pathsep + "/usr/bin:/bin", "HOME": "/nonexistent", **final["env"],
           "PORT": str(port), "AIRFLOW_API_URL": "http://127.0.0.1:1", "SHUTDOWN_DELAY_MS": "0",
           "SHUTDOWN_GRACE_MS": "3000"}
    cmd = as_user + json.loads(final["cmd"])
    log = open(os.path.join(os.path.dirname(root), "final-cmd.log"), "w+")
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    status, body = None, ""
    deadline = time.time() + 20
    while time.time() < deadline and proc.poll() is None:
        status, body = http_status(f"http://127.0.0.1:{port}/readyz")
        if status == 200:
            break
        time.sleep(0.2)
    ok = result(status == 200, f"CMD {final['cmd']} starts and /readyz answers 200 ({status} {body[:120]})")
    if ok:
        listed = mcp_tools_list(port)
        result(listed >= 20, f"the bundle answers MCP initialize and tools/list ({listed} tools)")
    preload = final["env"].get("LD_PRELOAD")
    if ok and preload:
        maps = open(f"/proc/{proc.pid}/maps").read()  # setpriv execs node in place: same pid
        result(preload.split(".so")[0] in maps, f"ENV LD_PRELOAD={preload} is loaded into the service process")
    if ok and final["healthcheck"]:
        hc = final["healthcheck"]
        hc_cmd = json.loads(hc[hc.index("CMD") + 3:].strip())
        p = subprocess.run(as_user + hc_cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=10)
        result(p.returncode == 0, f"HEALTHCHECK command exits 0 ({p.returncode})")
    if proc.poll() is None:
        sig = getattr(signal, final["stopsignal"] or "SIGTERM")
        proc.send_signal(sig)
        try:
            rc = proc.wait(timeout=10)
            result(rc == 0, f"{final['stopsignal']} stops the service cleanly (exit {rc})")
        except subprocess.TimeoutExpired:
            proc.kill()
            result(False, f"{final['stopsignal']} stops the service within 10s")
    log.seek(0)
    text = log.read()
    if not ok:
        print(text[-3000:])
    writes = [line for line in text.splitlines() if "EACCES" in line or "EROFS" in line]
    result(not writes, "no write attempts at run time (no EACCES/EROFS)")


if __name__ == "__main__":
    main()
