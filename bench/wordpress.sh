#!/usr/bin/env bash
# bench/wordpress.sh — the seed article page served by Gazette vs the same article in a stock
# WordPress (Debian's wordpress package, default theme, no caching plugin: a newsroom that has
# just installed it) behind nginx + php-fpm + MariaDB, measured in the same run with wrk over
# loopback (keep-alive). Prints requests/s for both and ratio_vs_wordpress= (Gazette /
# WordPress; higher is better; the goal is >= 100).
#
# Everything runs privately in a temp dir: a MariaDB instance (own datadir, socket, no
# networking), a php-fpm pool (pm static, unix socket), nginx (own config, loopback port), and
# WordPress's Debian config file /etc/wordpress/config-gazette-bench-PID.php (Debian's
# wp-config.php picks it through the WORDPRESS_CONFIG variable nginx passes); the file is
# removed on exit. System services and their configs are not touched.
#
# Usage: bench/wordpress.sh   (env: DURATION=10s ROUNDS=3 CONNS=8 THREADS=2 PHP_CHILDREN=4
#                              RESULTS=bench/RESULTS.md — set RESULTS= to not append;
#                              HOLD=SECONDS pauses before measuring, KEEP=1 keeps the temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-8}
THREADS=${THREADS:-2}
PHP_CHILDREN=${PHP_CHILDREN:-4}
RESULTS=${RESULTS-bench/RESULTS.md}
SLUG=maria-zakharova-hamas-visited-moscow
PAGE=/news/$SLUG/
HEADLINE='Maria Zakharova: Hamas visited Moscow'
COMMAND="bench/wordpress.sh${*:+ $*}"
[ "$DURATION$ROUNDS$CONNS" = 10s38 ] || COMMAND="DURATION=$DURATION ROUNDS=$ROUNDS CONNS=$CONNS $COMMAND"

# ---- packages (Debian 12) -------------------------------------------------------------------
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
apt_install() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
missing() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done; }
# The web server and php-fpm first, in their own apt run: then the wordpress package's
# "apache2 | httpd" and (through php8.2) "libapache2-mod-php8.2 | php8.2-fpm | ..." are
# already met, and apt does not pull in Apache (which would also want port 80).
need=$(missing nginx-light wrk curl python3 php-fpm php-cli php-mysql mariadb-server mariadb-client)
if [ -n "$need" ]; then
    $SUDO apt-get update -qq >/dev/null || true
    # shellcheck disable=SC2086
    apt_install $need
fi
need=$(missing wordpress wordpress-theme-twentytwentythree)
# shellcheck disable=SC2086
[ -z "$need" ] || apt_install $need
PHP_FPM=$(command -v php-fpm8.2 || ls /usr/sbin/php-fpm* 2>/dev/null | head -1)
MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
[ -x ./gazette ] || make --no-print-directory gazette >/dev/null
build=$(git log -1 --format=%h 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src 2>/dev/null)" ] || build="$build + uncommitted src/ changes"

# ---- temp dir and cleanup -------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/gazette-wp.XXXXXX")
chmod 755 "$work" # nginx, php-fpm and mariadbd workers run as unprivileged users
CONF_NAME=gazette-bench-$$
WP_CONF=/etc/wordpress/config-$CONF_NAME.php
pids=()
cleanup() {
    set +e
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    $SUDO rm -f "$WP_CONF"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$(dirname "$0")/lib.sh"
die() { echo "bench/wordpress.sh: $*" >&2; exit 1; }
wait_for() { # wait_for WHAT CMD... : up to 30 s
    local what=$1; shift
    for _ in $(seq 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    die "$what did not come up (logs in $work are removed on exit; rerun with KEEP=1 to look)"
}
[ -z "${KEEP:-}" ] || trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; $SUDO rm -f "$WP_CONF"; echo "kept $work"' EXIT

# ---- Gazette --------------------------------------------------------------------------------
gport=$(free_port)
./gazette demo --db "$work/demo.db" --listen 127.0.0.1:$gport >"$work/gazette.log" 2>&1 &
pids+=($!)
wait_for "gazette" curl -sf -o /dev/null "http://127.0.0.1:$gport$PAGE"
curl -sf "http://127.0.0.1:$gport/api/v1/articles/$SLUG" -o "$work/article.json"

# ---- MariaDB (private instance) -------------------------------------------------------------
dbuser=$(id -un); [ "$(id -u)" != 0 ] || dbuser=mysql
my=$work/mysql # owned by the server's user: data, tmp, socket, pid and log
mkdir -p "$my/data" "$my/tmp"
[ "$(id -u)" != 0 ] || chown -R mysql: "$my"
mariadb-install-db --no-defaults --user="$dbuser" --datadir="$my/data" --skip-test-db \
    --auth-root-authentication-method=socket >"$work/mariadb-install.log" 2>&1 ||
    { cat "$work/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
"$MARIADBD" --no-defaults --user="$dbuser" --datadir="$my/data" --tmpdir="$my/tmp" \
    --socket="$my/mysql.sock" --skip-networking --pid-file="$my/mariadb.pid" \
    --log-error="$my/mariadb.err" --innodb-buffer-pool-size=64M --skip-log-bin 2>"$work/mariadbd.out" &
pids+=($!)
wait_for "mariadbd" mariadb --no-defaults -S "$my/mysql.sock" -u "$(id -un)" -e 'SELECT 1'
mariadb --no-defaults -S "$my/mysql.sock" -u "$(id -un)" <<SQL
CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'wp'@'localhost' IDENTIFIED BY 'wp-bench';
GRANT ALL ON wordpress.* TO 'wp'@'localhost';
SQL

# ---- WordPress config (Debian: /etc/wordpress/config-NAME.php) -------------------------------
wport=$(free_port)
WP_URL=http://127.0.0.1:$wport
salts=$(python3 -c 'import secrets
for k in ("AUTH_KEY","SECURE_AUTH_KEY","LOGGED_IN_KEY","NONCE_KEY","AUTH_SALT","SECURE_AUTH_SALT","LOGGED_IN_SALT","NONCE_SALT"):
    print("define(%r, %r);" % (k, secrets.token_hex(32)))')
$SUDO tee "$WP_CONF" >/dev/null <<PHP
<?php
/* Written by Gazette's bench/wordpress.sh for one run; removed when it ends. */
define('DB_NAME', 'wordpress');
define('DB_USER', 'wp');
define('DB_PASSWORD', 'wp-bench');
define('DB_HOST', 'localhost:$my/mysql.sock');
define('WP_HOME', '$WP_URL');
define('WP_SITEURL', '$WP_URL');
$salts
PHP
$SUDO chmod 644 "$WP_CONF"

# ---- php-fpm pool ---------------------------------------------------------------------------
{
    echo "[global]"
    echo "pid = $work/php-fpm.pid"
    echo "error_log = $work/php-fpm.log"
    echo "daemonize = no"
    echo "[bench]"
    [ "$(id -u)" != 0 ] || printf 'user = www-data\ngroup = www-data\n'
    echo "listen = $work/php.sock"
    echo "listen.mode = 0666"
    echo "pm = static"
    echo "pm.max_children = $PHP_CHILDREN"
    echo "catch_workers_output = yes"
} >"$work/php-fpm.conf"
"$PHP_FPM" --nodaemonize --fpm-config "$work/php-fpm.conf" >"$work/php-fpm.out" 2>&1 &
pids+=($!)
wait_for "php-fpm" test -S "$work/php.sock"

# ---- nginx ----------------------------------------------------------------------------------
mkdir -p "$work/tmp"
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    include /etc/nginx/mime.types;
    keepalive_requests 1000000;
    client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
    uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
    server {
        listen 127.0.0.1:$wport;
        root /usr/share/wordpress;
        index index.php;
        location / { try_files \$uri \$uri/ /index.php?\$args; }
        location ~ \.php\$ {
            try_files \$uri =404;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
            fastcgi_param WORDPRESS_CONFIG $CONF_NAME;
            # Debian 12 fastcgi_params sends \$host (no port), which would make WordPress
            # redirect every page to itself; the later value wins.
            fastcgi_param HTTP_HOST \$host:\$server_port;
            fastcgi_pass unix:$work/php.sock;
        }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
wait_for "nginx" curl -s -o /dev/null "$WP_URL/"

# ---- install WordPress and add the seed story -----------------------------------------------
# wp-cli is not packaged in Debian 12, so PHP's CLI runs WordPress's own installer and
# wp_insert_post. The story: the headline, lead (as excerpt), body_html that Gazette renders
# from content/demo/$SLUG.md (its API), its date, its first topic as category and all topics
# as tags, comments open; the permalink structure /news/%postname%/ gives the same URL.
cat >"$work/setup.php" <<'PHP'
<?php
$_SERVER['HTTP_HOST'] = getenv('WP_HOST');
$_SERVER['WORDPRESS_CONFIG'] = getenv('WP_CONFIG_NAME');
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$r = wp_install('The Port Alder Courier', 'admin', 'admin@bench.invalid', false, '',
                wp_generate_password(24));
wp_set_current_user($r['user_id']);
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/news/%postname%/');
$a = json_decode(file_get_contents(getenv('ARTICLE_JSON')), true);
$topics = array_map(fn($t) => $t['name'], $a['topics']);
$cat = wp_insert_term($topics[0], 'category');
$id = wp_insert_post([
    'post_title' => $a['headline'],
    'post_name' => $a['slug'],
    'post_excerpt' => $a['lead'],
    'post_content' => $a['body_html'],
    'post_status' => 'publish',
    'post_date_gmt' => gmdate('Y-m-d H:i:s', strtotime($a['published_at'])),
    'post_date' => gmdate('Y-m-d H:i:s', strtotime($a['published_at'])),
    'post_category' => [$cat['term_id']],
    'tags_input' => $topics,
    'comment_status' => 'open',
    'post_author' => $r['user_id'],
], true);
if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
flush_rewrite_rules(false);
echo get_permalink($id), "\n";
PHP
WP_HOST=127.0.0.1:$wport WP_CONFIG_NAME=$CONF_NAME ARTICLE_JSON=$work/article.json \
    timeout 120 php "$work/setup.php" >"$work/setup.out" 2>&1 ||
    { cat "$work/setup.out" >&2; die "WordPress install failed"; }
permalink=$(tail -1 "$work/setup.out")
[ "$permalink" = "$WP_URL$PAGE" ] || die "WordPress gave the story the address $permalink, not $WP_URL$PAGE"

# Both pages must answer 200 with the real story (no 404, no redirect) before measuring.
check_page() { # check_page NAME URL
    local code
    code=$(curl -s -D "$work/headers" -o "$work/page.html" -w '%{http_code} %{redirect_url}' --max-time 30 "$2")
    [ "$code" = "200 " ] || { cat "$work/headers" >&2; die "$1 answered $code for $2"; }
    grep -qF "$HEADLINE" "$work/page.html" || die "$1's page at $2 lacks the headline"
    grep -qF "Abu Marzouk" "$work/page.html" || die "$1's page at $2 lacks the story's body"
    stat -c %s "$work/page.html"
}
gbytes=$(check_page Gazette "http://127.0.0.1:$gport$PAGE")
curl -s -o /dev/null --max-time 30 "$WP_URL$PAGE" # first view: WordPress fills its caches
wbytes=$(check_page WordPress "$WP_URL$PAGE")

# HOLD=SECONDS keeps everything up that long before measuring (to look around by hand).
[ -z "${HOLD:-}" ] || { echo "holding ${HOLD}s: Gazette http://127.0.0.1:$gport, WordPress $WP_URL, files in $work"; sleep "$HOLD"; }

# ---- measure --------------------------------------------------------------------------------
rps() { # rps URL: requests/s; fails on non-2xx answers or socket errors
    local out
    out=$(timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s "$1")
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        echo "bench/wordpress.sh: errors while measuring $1:" >&2
        echo "$out" >&2
    fi
    awk '/Requests\/sec/ {print $2}' <<<"$out"
}

wpver=$(php -r 'include "/usr/share/wordpress/wp-includes/version.php"; echo $wp_version;')
phpver=$(php -r 'echo PHP_VERSION;')
echo "page: $PAGE — Gazette ($build) $gbytes bytes; WordPress $wpver (theme twentytwentythree, PHP $phpver" \
     "php-fpm pm static $PHP_CHILDREN, opcache as Debian ships it, no page cache) $wbytes bytes"
echo "wrk -t$THREADS -c$CONNS -d$DURATION keep-alive over loopback, $ROUNDS alternating rounds, $(nproc) cores"
g=() w=()
for r in $(seq "$ROUNDS"); do
    g+=("$(rps "http://127.0.0.1:$gport$PAGE")")
    w+=("$(rps "$WP_URL$PAGE")")
done
gm=$(printf '%s\n' "${g[@]}" | median)
wm=$(printf '%s\n' "${w[@]}" | median)
ratio=$(awk -v g="$gm" -v w="$wm" 'BEGIN {printf "%.1f", g / w}')
verdict=$(awk -v r="$ratio" 'BEGIN {print (r >= 100) ? "ok" : "MISSED"}')
line="connections=$CONNS gazette_rps=$gm wordpress_rps=$wm ratio_vs_wordpress=$ratio (goal >= 100: $verdict)"
echo "$line"
echo "  rounds: gazette ${g[*]}; wordpress ${w[*]}"

if [ -n "$RESULTS" ]; then
    {
        echo
        echo "## bench/wordpress.sh — $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo
        echo "\`$COMMAND\` (gazette $build; $(nproc) cores, shared machine; WordPress $wpver, twentytwentythree," \
             "PHP $phpver php-fpm pm static $PHP_CHILDREN, MariaDB, nginx; no page cache plugin;" \
             "pages: Gazette $gbytes bytes, WordPress $wbytes bytes):"
        echo
        echo "    $line"
        echo "    rounds: gazette ${g[*]}; wordpress ${w[*]}"
    } >>"$RESULTS"
fi
