// Package alerts builds the workload's alerts topic: the one place where
// operational and security notifications are published (Auto Scaling events
// today; alarms and findings as detection is added).
//
// The topic is encrypted with a customer-managed key whose policy lets only
// the publishing services of this account use it, denies publishing without
// TLS, and has an e-mail subscription when alertEmail is set.
//
// Controls implemented here (see docs/CONTROLS.md): ALERT-1, and, for its
// key, KMS-1 and RET-1.
package alerts
