// Package controls is the registry of secure-webapp's security controls and
// the checks that prove them on a synthesized CloudFormation template.
//
// Each control (Control) is defined once, in this package: an ID such as
// LOG-3, a title, the layer of the architecture it protects, its side of the
// shared-responsibility line, the Security Hub (FSBP) and CIS AWS Foundations
// Benchmark v3.0.0 references it implements, the construct package that
// builds it, and a Check. From the registry:
//
//   - test/ runs every control as a subtest named by its ID, on the synthesis
//     of each profile, and weakens the template once or more per control to
//     prove that its check fails (TestMutations);
//   - cmd/verify runs them on a cdk.out directory or template files;
//   - docs/CONTROLS.md is generated (WriteControlsDoc), and a test fails when
//     the committed file is stale.
//
// Checks read the template as plain JSON (Template), with no Node.js and no
// jsii. github.com/awslabs/goformation/v7 was considered and not used: its
// parser resolves intrinsic functions (a Ref to a resource becomes nil, the
// account becomes 123456789012), and its typed properties cannot hold the
// Fn::GetAtt and Fn::Join values that CDK writes, while the checks here need
// exactly those references (which key encrypts which bucket, which policy is
// attached to which bucket). Its 39 MB of generated types would also add
// minutes to a cold build.
//
// Each template carries, under Metadata.SecureWebapp, the facts it is checked
// against (StackFacts: its role, the accounts, the trail ARN, the lock mode),
// so a template can be verified on its own.
package controls
