// Package stacks composes the constructs into the app's two stacks, one per
// account, and nothing else: every resource is built by a package under
// constructs/, every setting comes from config.
//
//   - LogArchive, in the logging account: constructs/logarchive.
//   - Workload, in the workload account: constructs/trail (more to come: the
//     network, data, app and detection layers).
//
// The two stacks share no CloudFormation exports or references: the workload
// names the log archive's bucket and key alias by the deterministic names of
// config, so each stack deploys into its own account with its own credentials
// (log archive first).
package stacks
