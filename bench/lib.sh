# Helpers the benchmark scripts share; sourced after scripts/lib/setup.sh (which sets $build_dir).
# A script sets $work (its temporary directory) and pids=() before calling start_origin.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

percentile() {  # percentile P FILE: the P-th percentile of the seconds in FILE, in ms
  sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR - 1) * p / 100) + 1; printf "%.2f", v[i] * 1000 }'
}

summary() { echo "p50 $(percentile 50 "$1") ms, p99 $(percentile 99 "$1") ms"; }

# start_origin NAME CONFIG: starts live-origin with CONFIG (TOML text) in $work/NAME on free loopback ports,
# adds it to pids and sets ingest_NAME, delivery_NAME, admin_NAME and pid_NAME; fails after 10 s.
start_origin() {
  local name=$1 dir="$work/$1"
  mkdir -p "$dir"
  printf '%s\n' "$2" > "$dir/origin.toml"
  "$build_dir/live-origin" --config "$dir/origin.toml" --data-dir "$dir/data" \
    --delivery 127.0.0.1:0 --ingest 127.0.0.1:0 --admin 127.0.0.1:0 2> "$dir/stderr" &
  pids+=($!)
  printf -v "pid_$name" '%s' "$!"
  for _ in $(seq 200); do grep -q "ready:" "$dir/stderr" && break; sleep 0.05; done
  grep -q "ready:" "$dir/stderr" || { echo "origin $name did not start: $(cat "$dir/stderr")" >&2; exit 1; }
  printf -v "ingest_$name" '%s' "$(sed -n 's/.*ready: .* ingest=\([^ ]*\) .*/\1/p' "$dir/stderr")"
  printf -v "delivery_$name" '%s' "$(sed -n 's/.*ready: delivery=\([^ ]*\) .*/\1/p' "$dir/stderr")"
  printf -v "admin_$name" '%s' "$(sed -n 's/.*ready: .* admin=\([^ ]*\) .*/\1/p' "$dir/stderr")"
}
