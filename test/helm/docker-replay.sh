#!/usr/bin/env bash
# Replays the Dockerfile without a Docker engine (CI has none): see docker_replay.py.
# Usage: bash test/helm/docker-replay.sh [--ref HEAD|--worktree]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec python3 "$ROOT/test/helm/docker_replay.py" --repo "$ROOT" "$@"
