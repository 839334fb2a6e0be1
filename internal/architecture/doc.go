// Package architecture writes docs/ARCHITECTURE.md from the synthesized
// templates: a Mermaid diagram of the two accounts, the VPC's subnet tiers,
// the security groups and the traffic each admits from another (read from
// the templates' rules, never drawn by hand), the log flows into the logging
// account, and the shared-responsibility table of the resource types the
// app deploys. test/TestGeneratedDocs fails when the file is stale; `make
// docs` rewrites it.
package architecture
