-- TEST ONLY. Prosody 0.12 configuration for Chatlas end-to-end tests.
-- Started by tests/harness/xmpp-servers.ts, never on a real host. Every path,
-- address and name comes from the environment the harness sets, so one
-- checked-in file serves every run. Nothing here may reach off loopback:
-- it listens on one 127.31.x address and resolves names only through the
-- test DNS server (lua-unbound forwarding, no resolv.conf, no root hints).

local dir = assert(os.getenv("CHATLAS_PROSODY_DIR"), "CHATLAS_PROSODY_DIR")
local ip = assert(os.getenv("CHATLAS_PROSODY_IP"), "CHATLAS_PROSODY_IP")
local domain = assert(os.getenv("CHATLAS_PROSODY_DOMAIN"), "CHATLAS_PROSODY_DOMAIN")
local dns = assert(os.getenv("CHATLAS_DNS"), "CHATLAS_DNS") -- "ip@port"

-- The harness runs as root in the CI container; posix would daemonise.
run_as_root = true
modules_disabled = { "posix" }
pidfile = dir .. "/prosody.pid"
data_path = dir .. "/data"
log = { { levels = { min = os.getenv("CHATLAS_PROSODY_LOG") or "info" }, to = "file", filename = dir .. "/prosody.log" } }

interfaces = { ip }
local_interfaces = { ip }
c2s_ports = { 5222 }
c2s_direct_tls_ports = { 5223 }
s2s_ports = { 5269 }
http_ports = { }
https_ports = { }
-- Outgoing s2s connections leave from our own address too.
s2s_interfaces = { ip }

-- lua-unbound (net.unbound) only: forwarded to the loopback test resolver.
unbound = {
	resolvconf = false;
	hoststxt = false;
	forward = dns;
	options = { ["do-not-query-localhost:"] = "no" };
	-- Note: unbound answers the RFC 6761 name "test." itself (NXDOMAIN, a
	-- built-in local zone that ub_ctx_set_option cannot remove), so the e2e
	-- domains live under the RFC 2606 name "example." instead.
}
use_dane = false

modules_enabled = {
	"disco"; "roster"; "saslauth"; "tls"; "dialback"; "ping"; "version";
	"uptime"; "time"; "register"; "server_contact_info"; "limits";
	-- The harness creates rooms through prosodyctl shell (admin socket).
	"admin_shell"; "admin_socket";
}
-- The observer is created with prosodyctl; no open sign-up on this host.
allow_registration = false
authentication = "internal_hashed"
storage = "internal"

-- Certificates signed by the per-run test CA, trusted through cafile.
certificates = dir .. "/certs"
ssl = {
	certificate = dir .. "/certs/" .. domain .. ".crt";
	key = dir .. "/certs/" .. domain .. ".key";
	cafile = dir .. "/certs/ca.crt";
}
s2s_secure_auth = false
s2s_require_encryption = true
c2s_require_encryption = true

contact_info = {
	abuse = { "xmpp:abuse@" .. domain };
	admin = { "mailto:admin@" .. domain, "xmpp:admin@" .. domain };
}

admins = { "admin@" .. domain }

VirtualHost(domain)

Component("rooms." .. domain) "muc"
	modules_enabled = { "muc_mam" }
	restrict_room_creation = "local"
	muc_room_default_public = false
	muc_room_default_persistent = true

-- Invitation-only sign-up (XEP-0401 / XEP-0445), as Snikket runs it: mod_invites_register
-- with registration_invite_only = true (also its default), which loads mod_register_ibr and
-- refuses any registration without a valid invitation. Its own host, so the main host keeps
-- allow_registration = false. The certificate names *.<domain>; the e2e test adds its SRV records.
VirtualHost("invite." .. domain)
	modules_enabled = { "invites"; "invites_register" }
	registration_invite_only = true
