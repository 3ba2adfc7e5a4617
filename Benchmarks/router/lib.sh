# Shared by run.sh and compare.sh (sourced, not run): nginx instances with everything inside
# $WORK, waiting for a port to answer, and the EXIT trap that stops what the script started
# (the pids in PIDS and every nginx started here) and removes $WORK.

# nginx (daemon, workers for every core) on config $WORK/$1.conf; $2 = the http-level body.
start_nginx() {
  cat >"$WORK/$1.conf" <<CONF
daemon on;
user root;
worker_processes auto;
pid $WORK/$1.pid;
error_log $WORK/$1-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/$1-client; proxy_temp_path $WORK/$1-proxy;
    fastcgi_temp_path $WORK/$1-fastcgi; uwsgi_temp_path $WORK/$1-uwsgi; scgi_temp_path $WORK/$1-scgi;
    keepalive_requests 1000000;
$2
}
CONF
  /usr/sbin/nginx -p "$WORK" -c "$WORK/$1.conf"
}

# Waits up to 10 s for 127.0.0.1:$1 to answer GET / (exits the script if it never does).
wait_for() { for _ in $(seq 1 100); do curl -fs "127.0.0.1:$1/" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "nothing answers on $1"; exit 1; }

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Only the configs start_nginx wrote have a pid file (run.sh's upstream.conf has none).
  for conf in "$WORK"/*.conf; do [ -f "$WORK/$(basename "$conf" .conf).pid" ] && /usr/sbin/nginx -p "$WORK" -c "$conf" -s quit 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
