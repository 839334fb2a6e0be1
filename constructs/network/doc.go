// Package network builds the workload VPC and the security groups that the
// tiers use to reach each other.
//
// Three subnet tiers in every availability zone: Public (the load balancer
// and, with internetEgress, the NAT gateways; no public IPs are handed out
// on launch), App (the instances and the functions in the VPC) and Data
// (the database; no route out of the VPC at all). All traffic is captured
// by flow logs into a KMS-encrypted, retained log group. The default
// security group has no rules. An S3 gateway endpoint serves the App
// subnets; interface endpoints for Secrets Manager and KMS (and, with
// sessionManager, SSM, and one for each service of the app tier's grant
// table that an interface endpoint serves: Props.AppServices) keep that
// traffic inside the VPC and admit only the security groups that are
// granted them, by reference.
//
// Egress (NET-7). Without internetEgress, the default, there is no NAT
// gateway and the App subnets have no route out of the VPC either: a
// compromised instance has no path to the internet. What the tier needs
// outside the VPC is an AWS service, reached through an endpoint:
// Secrets Manager and KMS through the interface endpoints, S3 (the
// application bucket, the Amazon Linux package repositories, the answers
// of custom resources to CloudFormation) through the gateway endpoint. The
// gateway endpoint's policy admits the account's own buckets and those AWS
// buckets only, so S3 is no way out either. Security groups reach the
// gateway endpoint through its AWS-managed prefix list, whose ID differs
// per region and is looked up at deployment (constructs/sdkcall), keeping
// synthesis hermetic. With internetEgress, natGateways NAT gateways come
// back and AllowOutbound grants HTTPS to any address instead.
//
// GuardDuty (LIFE-6). The VPC declares the guardduty-data endpoint that
// GuardDuty's runtime monitoring agent delivers through, admitting the app
// tier only: GuardDuty's automated agent configuration reuses it instead
// of creating an endpoint and a security group of its own, outside
// CloudFormation, that it never deletes and that would keep the VPC from
// being deleted.
//
// The app tier's security group is created here, without any rule, so that
// the database can admit it and the app tier can attach it.
//
// Controls implemented here (see docs/CONTROLS.md): NET-1, NET-2, NET-3,
// NET-4, NET-5, NET-7, LIFE-6, and, for its key and log group, KMS-1 and RET-1.
// NET-6 (no security group admits SSH or RDP, nor anything but 80 and 443
// from the internet) holds for every security group of the stack, this
// package's included.
package network
