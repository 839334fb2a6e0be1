// Package apptier builds the app tier: an Auto Scaling group of Amazon Linux 2023
// instances in the App subnets and the one role the instances run as (New,
// in the stateless Service stack), and the application bucket (NewBucket,
// in the stateful Data stack, so that the instances can be replaced without
// touching the data).
//
// The instances come from a launch template: the image from Amazon Linux's
// public SSM parameter (resolved at deployment, never looked up at
// synthesis), IMDSv2 required with a hop limit of 1, encrypted EBS, no key
// pair, no public IP, detailed monitoring. They apply security updates at
// boot and daily without any extra permission: the package repositories
// are S3 buckets of AWS, reached through the S3 gateway endpoint (see
// constructs/network). The sample application in sampleapp/ (the one place
// a forker replaces) logs in to PostgreSQL as the application's own user
// with IAM database authentication (no password, no secret) and verifies
// the server against the region's RDS root CAs, which user data writes
// (internal/rdsca).
//
// The instance role has exactly the rows of the grant table, Grants in
// grants.go, the one place a permission of the app is written: rds-db:connect
// as the application's database user on the one database, s3:PutObject
// under one prefix of the application bucket, and kms:GenerateDataKey and
// kms:Decrypt (multipart uploads) on that bucket's key through S3. With
// sessionManager on, AmazonSSMManagedInstanceCore too, and nothing else. It
// cannot read the master secret (DB-9). New builds the policy from the
// table, one statement per row, and records the rows on the role; the
// network creates an interface endpoint for each service of the table that
// one serves (EndpointServices, network.Props.AppServices).
//
// The app tier is declared, not inferred: Interface is what the rest of the
// app needs of it (its load balancer target, role, security group and
// grants), and the template records what it is (controls.IdentityAppRole,
// with the grant table, IdentityAppSecurityGroup through
// DeclareSecurityGroup, IdentityAppCompute), by which APP-3, APP-6, APP-7,
// DB-8, EDGE-1 and EDGE-4 find it, whatever compute runs it. APP-1, APP-2
// and APP-5 read the shapes of EC2 (launch template, Auto Scaling group,
// user data); docs/CUSTOMIZE.md says what another compute kind adds.
//
// The application bucket is encrypted with a customer-managed key, blocks
// public access, denies requests without TLS, is versioned, logs its access
// and is retained.
//
// Controls implemented here (see docs/CONTROLS.md): APP-1, APP-2, APP-3,
// APP-4, APP-5, APP-6, APP-7, and, for its key and bucket, KMS-1 and RET-1.
package apptier
