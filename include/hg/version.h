/*
 * version.h — the release and the shapes of what hardengen writes, for the
 * library (the build digest, the manifest, diagnostics JSON and SARIF) and
 * the command line alike.
 */
#ifndef HG_VERSION_H
#define HG_VERSION_H

#define HG_VERSION "0.1.0"

/* Version of the shape of every JSON output (the "schema" member; README
 * "JSON output"). Raised when a member is removed or changes meaning. */
#define HG_JSON_SCHEMA 1

/* The project's home: SARIF informationUri, and rules' helpUri point into
 * its README. */
#ifndef HG_HOME_URL
#define HG_HOME_URL "https://github.com/hardengen/hardengen"
#endif

#endif
