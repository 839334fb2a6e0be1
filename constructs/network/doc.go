// Package network builds the workload VPC and the security groups that the
// tiers use to reach each other.
//
// Three subnet tiers in every availability zone: Public (the load balancer
// and the NAT gateways only; no public IPs are handed out on launch), App
// (private, egress only through a NAT gateway) and Data (isolated: no route
// out of the VPC at all). All traffic is captured by flow logs into a
// KMS-encrypted, retained log group. The default security group has no rules.
// An S3 gateway endpoint serves the private subnets; optional interface
// endpoints for Secrets Manager and KMS keep secret traffic inside the VPC and
// admit only the security groups that are granted them, by reference.
//
// The app tier's security group is created here, without any rule, so that
// the database can admit it and the app tier can attach it.
//
// Controls implemented here (see docs/CONTROLS.md): NET-1, NET-2, NET-3,
// NET-4, NET-5, and, for its key and log group, KMS-1 and RET-1. NET-6 (no
// security group admits SSH or RDP, nor anything but 80 and 443 from the
// internet) holds for every security group of the stack, this package's
// included.
package network
