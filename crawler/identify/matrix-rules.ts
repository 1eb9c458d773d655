/**
 * Matrix homeserver identification rules: the `server.name` of
 * `GET /_matrix/federation/v1/version` → our normalised software name.
 * Each row cites the file of that server which produces the string.
 * More specific names come first (continuwuity/tuwunel before conduwuit before Conduit).
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
    // static BRANDING: &str = "continuwuity", returned by name() in the version route.
    source: 'continuwuity/continuwuity src/core/info/version.rs (BRANDING)',
  },
  {
    software: 'tuwunel',
    name: /^tuwunel$/i,
    // static BRANDING: &str = "Tuwunel".
    source: 'matrix-construct/tuwunel src/core/info/version.rs (BRANDING)',
  },
  {
    software: 'conduwuit',
    // "conduwuit" (src/core/info/version.rs BRANDING); older releases sent "Conduwuit" from
    // src/api/server/version.rs (`name: Some("Conduwuit".to_owned())`).
    name: /^conduwuit$/i,
    source: 'girlbossceo/conduwuit src/core/info/version.rs (BRANDING), src/api/server/version.rs',
  },
  {
    software: 'conduit',
    name: /^conduit$/i,
    // name: Some("Conduit".to_owned()), version: env!("CARGO_PKG_VERSION")
    source: 'famedly/conduit src/api/server_server.rs (get_server_version_route)',
  },
  {
    software: 'construct',
    // Sends ircd::info::name = PACKAGE_NAME (newer: BRANDING_NAME), set in configure.ac; the exact
    // spelling was not confirmed from a live server, hence the case-insensitive match.
    name: /^construct$/i,
    source: 'matrix-construct/construct modules/federation/version.cc (federation_version__get)',
  },
];
