#!/usr/bin/env bash
# Peak resident memory of `tinybug serve` while strangers upload: N concurrent posts of SIZE MiB to
# an unknown tenant, then N signed with a wrong key to a known one. Prints the answers and VmHWM.
#   bench/upload-rss.sh [BIN_DIR] [N] [SIZE_MIB]      (default .build-release/release 100 24)
set -euo pipefail
bin=${1:-.build-release/release}
count=${2:-100}
size=${3:-24}
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$tmp/tenants.json" <<JSON
{"tenants":[{"id":"acme","github":{"webhookSecret":"env:ACME_SECRET","token":"env:ACME_TOKEN"}}]}
JSON
PORT=$port TINYBUG_STORE="file://$tmp/store" TINYBUG_TENANTS="$tmp/tenants.json" ACME_SECRET=s ACME_TOKEN=t \
  TINYBUG_TICK_SECONDS=3600 LOG_LEVEL=error "$bin/tinybug" serve > "$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
head -c "$((size * 1024 * 1024))" /dev/zero > "$tmp/body"
rss() { awk '/VmHWM|VmRSS/ {printf "%s %d MiB  ", $1, $2 / 1024}' "/proc/$pid/status"; echo; }
echo "start: $(rss)"
post() {
  for _ in $(seq "$count"); do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -T "$tmp/body" -H 'Content-Type: application/json' \
      -H 'X-GitHub-Event: pull_request' -H 'X-GitHub-Delivery: d' \
      -H "X-Hub-Signature-256: sha256=$(printf '0%.0s' $(seq 64))" "http://127.0.0.1:$port$1" &
  done
  wait
}
echo "unknown tenant, $count × $size MiB: $(post /webhooks/github/nobody | sort | uniq -c | tr '\n' ' ')"
echo "  after: $(rss)"
echo "wrong signature, $count × $size MiB: $(post /webhooks/github/acme | sort | uniq -c | tr '\n' ' ')"
echo "  after: $(rss)"
