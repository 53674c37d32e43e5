# varnish.vcl — a sample Varnish 7.1 configuration for Gazette (Debian 12's `varnish` and the
# xkey vmod from `varnish-modules`). It keeps Gazette's public pages as long as their
# Cache-Control says (s-maxage, then stale-while-revalidate as grace), tags each page with the
# keys of its `xkey` header, and drops pages when a Gazette node sends
#   PURGE /  with  xkey-purge: a:12 home t:city-hall      (the pages carrying any of the keys)
#   PURGE /  with  xkey-purge: *                          (everything: a ban)
# PURGE is accepted only from the `purgers` ACL: list every Gazette node there.
# The newsroom (/admin/), the moderation API, POSTs, and requests of signed-in users go straight
# to Gazette. See docs/deploy.md for where this file goes and how to run it.
vcl 4.1;

import std;
import xkey;

# One Gazette node. With several, declare one backend each and spread requests over them with
# vmod directors (round_robin) in vcl_init, or put the load balancer's address here.
backend gazette {
    .host = "127.0.0.1";
    .port = "8080";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 60s; # live-update streams (/live) send a heartbeat more often
}

# Who may purge: this machine and the Gazette nodes (add each node's address).
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "PURGE needs an xkey-purge header"));
        }
        if (req.http.xkey-purge == "*") {
            # everything (settings, topics or authors changed, or a node's queue overflowed)
            std.ban("obj.status != 0");
            return (synth(200, "Banned everything"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass); # comments, newsletter sign-ups, the newsroom's forms
    }
    if (req.url ~ "^/admin(/|$)" || req.url ~ "^/api/v1/admin/") {
        return (pass); # the newsroom and its API: per user, never kept
    }
    if (req.url ~ "^/live(/|$)") {
        return (pass); # live-update streams (server-sent events)
    }
    if (req.http.Authorization || req.http.X-Api-Key) {
        return (pass); # content API read keys: per client
    }
    if (req.http.Cookie ~ "(^|;\s*)gz_session=") {
        return (pass); # a signed-in user
    }
    # public pages never depend on cookies (Gazette sets them only under /admin)
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Gazette says "public, max-age=0, s-maxage=60, stale-while-revalidate=30": Varnish takes
    # s-maxage as the TTL itself; the stale-while-revalidate window becomes the grace, during
    # which a stale page is served while a fresh one is fetched in the background.
    if (beresp.http.Cache-Control ~ "stale-while-revalidate=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, ".*stale-while-revalidate=([0-9]+).*", "\1") + "s",
            10s);
    }
    if (beresp.http.Cache-Control ~ "(private|no-store)" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s; # remember not to keep it (hit-for-miss)
        return (deliver);
    }
    # answers without keys (search results, errors) are kept only by their TTL
    return (deliver);
}

sub vcl_deliver {
    # for people and tests: was this a hit?
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # the keys are for caches, not for readers
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
}
