// Package costs writes docs/COSTS.md: the monthly cost of each profile,
// itemized by the resources its synthesized templates hold (counted from the
// templates, never by hand), priced from a dated list of us-east-1 list
// prices. test/TestGeneratedDocs fails when the file is stale; `make docs`
// rewrites it.
package costs
