// Package config holds the one typed configuration of secure-webapp.
//
// Every setting is declared once, in the key table of keys.go: its name, its
// type, its default for each profile, what values it allows and what it is
// for. From that table come the parsing of CDK context (cdk.json's "context"
// block and `cdk synth -c key=value`), the validation, and the configuration
// reference in README.md.
//
// Load validates everything before a single construct exists, and reports
// every problem at once, each naming the key, the value given and what is
// allowed. Unknown keys are rejected with a did-you-mean suggestion; CDK's own
// context (feature flags such as "@aws-cdk/...", and keys such as
// "aws:cdk:enable-path-metadata") is left alone.
//
// Names that cross an account boundary (the CloudTrail bucket, the log
// archive's KMS alias, the trail's ARN) are derived here, in names.go, so that
// the stack that creates a resource and the stack that points at it in the
// other account can never disagree.
//
// Profiles change cost levers only (sizes, counts, retention lengths, the
// Object Lock mode); no profile removes a control.
package config
