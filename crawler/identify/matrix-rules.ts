/**
 * Matrix identification rules: the `server.name` (and where needed the
 * `server.version`) of `GET /_matrix/federation/v1/version` → our normalised
 * software name, and the role when the software is not a homeserver
 * (crawler/software-role.ts). One row per reported name; each cites the file
 * of that server which produces the string, and the commits where it changed.
 * Names are matched case-insensitively (operators rebuild with patches; a
 * case change is not a new implementation).
 *
 * Order matters where names overlap: the conduwuit builds that reported
 * `conduit` come before Conduit. Sources read 2026-12-07 with the code search
 * tool and in full clones (fetch) of each repository.
 *
 * What cannot be told apart: continuwuity and tuwunel builds from before their
 * renames (2025-04) reported `conduwuit` and are counted as conduwuit; a
 * Construct built with `--with-custom-branding` reports whatever it was given.
 */
import type { SoftwareRule } from './software.ts';

export const MATRIX_RULES: readonly SoftwareRule[] = [
  {
    software: 'synapse',
    name: /^synapse$/i,
    // "name": "Synapse" in the federation version servlet (checked in the installed 1.163.2 too).
    source: 'element-hq/synapse synapse/federation/transport/server/federation.py (FederationVersionServlet)',
  },
  {
    software: 'dendrite',
    name: /^dendrite$/i,
    // Name: "Dendrite", Version: internal.VersionString()
    source: 'matrix-org/dendrite federationapi/routing/version.go (Version)',
  },
  {
    software: 'continuwuity',
    name: /^continuwuity$/i,
    // BRANDING = "continuwuity" since commit dc599db19 (2025-04-18, "Change branding string to continuwuity"),
    // returned as name by get_server_version_route; version `SEMANTIC (version_tag)`, calendar versions
    // since 2026 (26.7.3). Before dc599db19 the fork still reported "conduwuit".
    source: 'continuwuation/continuwuity (forgejo.ellis.link; GitHub mirror continuwuity/continuwuity) src/core/info/version.rs (BRANDING), src/api/server/version.rs',
  },
  {
    software: 'tuwunel',
    name: /^tuwunel$/i,
    // BRANDING = "Tuwunel" since commit 9b658d86b (2025-04-22, "Rename crates."); version `git describe`
    // without the leading v (1.4.0), with the commit in parentheses between tags.
    source: 'matrix-construct/tuwunel src/core/info/version.rs (BRANDING), src/api/server/version.rs',
  },
  {
    software: 'conduwuit',
    name: /^conduwuit$/i,
    // Three eras: env!("CARGO_PKG_NAME") = "conduwuit" from commit 56e4166e (2023-11-29) until the package
    // was renamed back to "conduit" (aa3fd6a4, 2024-01-27); the literal "Conduwuit" from e71855cd
    // (2024-03-01, src/api/server_server.rs, then BRANDING in src/core/version.rs 3a51e18c and
    // src/core/info/version.rs) through v0.4.6; BRANDING = "conduwuit" from 5b5ccba6 (2025-01-25) to the
    // last release (v0.5.0-rc4 tag, version "0.5.0"). The repository is archived.
    source: 'girlbossceo/conduwuit src/core/info/version.rs (BRANDING), src/api/server/version.rs; earlier src/api/server_server.rs (get_server_version_route)',
  },
  {
    software: 'conduwuit',
    name: /^cowonduit$/i,
    // name: Some("cowonduit".to_owned()) in commit 76c00283 ("woof woof", 2023-08-11 authored, 2023-09-13
    // committed), with package version "4.2.0-6.9-barkbarkbark", until env!("CARGO_CRATE_NAME") replaced
    // it in 87d6a17f (2023-11-29).
    source: 'girlbossceo/conduwuit src/api/server_server.rs (get_server_version_route) at 76c00283',
  },
  {
    software: 'conduwuit',
    // env!("CARGO_PKG_NAME") after the package was renamed back to "conduit" (aa3fd6a4, 2024-01-27) until
    // "Conduwuit" was hard-coded (e71855cd, 2024-03-01): name "conduit", version
    // "0.7.0-alpha+conduwuit-0.1.2" / "…-0.1.3" (Cargo.toml). Only the version tells it from Conduit.
    name: /^conduit$/i,
    version: /\+conduwuit-\d/i,
    source: 'girlbossceo/conduwuit src/api/server_server.rs (CARGO_PKG_NAME) and Cargo.toml [package] at aa3fd6a4',
  },
  {
    software: 'conduit',
    name: /^conduit$/i,
    // name: Some("Conduit".to_owned()), version: env!("CARGO_PKG_VERSION")
    source: 'famedly/conduit src/api/server_server.rs (get_server_version_route)',
  },
  {
    software: 'construct',
    // ircd::info::name = BRANDING_NAME = PACKAGE_NAME from AC_INIT([Construct],[1]) ("construct" before
    // commit 23e4df7a9, 2022-08-20, "Use upper-cased default branding pronoun"), unless configured
    // --with-custom-branding; version `git describe --tags --always --broken` (0.9.578). The answer also
    // carries branch, commit, compiler, kernel and arch.
    name: /^construct$/i,
    source: 'matrix-construct/construct modules/federation/version.cc (federation_version__get), ircd/info.cc, configure.ac',
  },
  {
    software: 'ejabberd',
    // ejabberd's Matrix gateway: an XMPP server federating into Matrix, not a homeserver. process/2 answers
    // #{<<"name">> => <<"ejabberd/mod_matrix_gw">>, <<"version">> => <<"0.1">>} (the module's version,
    // not ejabberd's), since the module was added in f44e23b8c (ejabberd 24.02).
    name: /^ejabberd\/mod_matrix_gw$/i,
    role: 'gateway',
    source: 'processone/ejabberd src/mod_matrix_gw.erl (process/2, federation v1 version)',
  },
  {
    software: 'mrs',
    // MRS, the Matrix room directory (matrixrooms.info): initVersion serves version.Name =
    // "MatrixRoomsSearch" and version.Version, a constant "v0.0.0" in every commit so far.
    name: /^matrixroomssearch$/i,
    role: 'directory',
    source: 'etkecc/mrs internal/version/version.go (Name, Version), internal/services/matrix/init.go (initVersion), internal/controllers/matrix_s2s.go (serverVersion)',
  },
  {
    software: 'chatlas',
    // Chatlas itself when it federates (issue 11): a room directory for Matrix clients.
    name: /^chatlas$/i,
    role: 'directory',
    source: 'this repository: federation/federation-handler.ts (GET /_matrix/federation/v1/version)',
  },
];
