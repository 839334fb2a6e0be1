// Package detection builds the workload account's detection services on top
// of its trail: the CIS AWS Foundations Benchmark metric filters and alarms
// on the trail's log group, GuardDuty with its protection features, AWS
// Config (recorder, delivery channel, managed rules), Security Hub with its
// standards, IAM Access Analyzer, and the EventBridge rules that send the
// serious findings to the alerts topic.
//
// Security Hub depends on AWS Config: most of its controls are Config rules
// that Security Hub creates and evaluates, so without a recorder they report
// nothing. The recorder here records every supported resource type, global
// IAM types included, as Config's service-linked role.
//
// MFA on the root user cannot be set by CloudFormation (or by any API): it is
// covered here by the Config rule ROOT_ACCOUNT_MFA_ENABLED and the
// RootAccountUsage alarm, and must be turned on by hand (README.md).
//
// GuardDuty, Security Hub, the Config recorder and delivery channel, and the
// account's Access Analyzer exist once per account and region: Services
// (detectionServices) creates all of them or none (LIFE-2). Their creation
// order is the services' own (LIFE-3): the recorder and the delivery channel
// after the Config bucket's policy and never after each other, the rules and
// Security Hub after the recorder, the standards after the hub.
//
// Controls implemented here (see docs/CONTROLS.md): DET-1, DET-2, DET-3,
// DET-4, DET-5, DET-6, DET-7, LIFE-2, LIFE-3, and, for its keys and
// buckets, KMS-1 and RET-1.
package detection
