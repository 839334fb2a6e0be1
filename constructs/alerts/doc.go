// Package alerts builds the workload account's alerts topic: the one place
// where operational and security notifications are published (the CIS
// alarms, the serious findings, and the failed launches and terminations of
// every Auto Scaling group of the account).
//
// The topic is encrypted with a customer-managed key whose policy lets the
// services that publish (CloudWatch alarms, EventBridge) use it, denies
// publishing without TLS, and has an e-mail subscription when alertEmail is
// set. Auto Scaling's events arrive through an EventBridge rule, not its
// notifications: those are published as its service-linked role, which the
// key cannot admit.
//
// Controls implemented here (see docs/CONTROLS.md): ALERT-1, APP-2 (the
// Auto Scaling rule), LIFE-4, and, for its key, KMS-1 and RET-1.
package alerts
