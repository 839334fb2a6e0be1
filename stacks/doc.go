// Package stacks composes the constructs into the app's stacks and
// nothing else: every resource is built by a package under constructs/,
// every setting comes from config. Run is the whole program that main.go
// runs: the configuration, Build, the Control Tower rules, synthesis. Build
// adds the stacks in deployment order:
//
//   - LogArchive, in the logging account: constructs/logarchive. Kept for
//     as long as its evidence; the workload account can write to it, never
//     delete from it.
//   - LoggingBaseline, in the logging account: the same baseline as the
//     workload account's (below), with the logging account's own trail into
//     the archive and the alarms that watch the archive's protections, so
//     that what the archive's own administrators do is recorded and seen.
//   - Baseline-<region> and LoggingBaseline-<region>, one per account in
//     each governed region beyond the home region (governedRegions): the
//     detection services and EBS encryption by default, since attackers
//     use the regions nobody watches. Their serious findings reach the home
//     region (EventBridge across regions, Security Hub aggregation).
//   - Baseline, in the workload account: constructs/trail, detection,
//     baseline and alerts. What exists once per account and region (the
//     trail, GuardDuty, Security Hub, the Config recorder and channel,
//     Access Analyzer, the account settings) has an account's lifecycle,
//     not the application's: a second application in the account would
//     share it, and it must be running before the workload is built so
//     that the workload's creation is recorded.
//   - Data, in the workload account: constructs/network, database, the
//     application bucket of constructs/apptier, and the access-log bucket. The
//     state, with termination protection in production and the database's
//     deletion protection; it changes rarely, and never fails because a
//     certificate waits for DNS.
//   - Service, in the workload account: the instances of constructs/apptier
//     and constructs/edge (load balancer, certificate, web ACL). It holds
//     no data (LIFE-5), so a failed or cancelled deployment of it rolls
//     back without touching the database, and in the sandbox profile it can
//     be destroyed and deployed again at will.
//
// This is the AWS CDK best-practice split: stateful resources in their own
// stacks, the stateless ones free to be replaced. The boundaries follow
// what CloudFormation does on a failure: it rolls back one stack, so no
// stack holds a deletion-protected database beside anything that may fail
// or wait (the certificate waits up to 72 hours for its DNS record).
//
// Wiring. Across accounts there are no references: the trail names the log
// archive's bucket and key alias by the deterministic names of config, and
// Build orders the log archive first. Within the workload account the
// stacks pass construct objects, and CDK turns each use across stacks into
// a reference. cdk.json sets @aws-cdk/core:defaultCrossStackReferences to
// "strong": each reference is a CloudFormation export of the producer and
// an Fn::ImportValue in the consumer, so CloudFormation refuses to delete or
// replace anything that the Service stack still uses, and to delete the
// Data stack under it. (CDK's "weak" references, Fn::GetStackOutput, would
// avoid the "export in use" deadlock when a consumer goes away, but a
// replaced security group or bucket would then reach the Service stack only
// if its own template changed too: a stale reference, silently. DEPLOY.md
// says how to remove a consumer in two deployments.) The rules that join the
// Service stack's load balancer to the Data stack's app security group are
// created by the Service stack (it imports the group), so the Data stack
// never refers to anything in it.
package stacks
