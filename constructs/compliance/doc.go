// Package compliance is the compliance gate: it attaches the cdk-nag rule
// packs (AWS Solutions, NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1) to
// every stack as aspects, and it is the one way a construct records why a
// cdk-nag rule does not apply to one of its resources (Suppress).
//
// A cdk-nag error that is not suppressed is an error annotation: `cdk synth`
// (and so `make synth`) fails on it, and the tests assert that none remains.
// Every suppression's rule and reason are copied into the resource's template
// metadata, from where docs/CONTROLS.md lists them.
//
// This package implements no control of its own; it is the gate in front of
// all of them.
package compliance
