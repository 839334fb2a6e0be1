package controls

import (
	"fmt"
	"strings"
)

// egressControl is NET-7: the way out of the VPC is the one internetEgress
// asks for.
func egressControl() Control {
	return Control{
		ID: "NET-7", Title: "Egress follows internetEgress: without it, no NAT gateway, every security group sends only to security groups and to the S3 prefix list looked up at deployment, and the S3 gateway endpoint admits only the account's buckets and the AWS buckets it names (package repositories, custom-resource responses); with it, only HTTPS leaves for the internet. Either way, only load balancers admit traffic from the internet",
		Layer: LayerNetwork, Responsibility: Customer, Construct: networkPkg, Role: RoleWorkload,
		Check: checkEgress,
	}
}

// awsOwnedBuckets are the AWS buckets of region that the S3 gateway
// endpoint may admit without internet egress, each exactly by name (a
// prefix would admit a bucket anyone can create under it), with the one
// action each needs.
func awsOwnedBuckets(region string) map[string]string {
	return map[string]string{
		"al2023-repos-" + region + "-de612dc2": "s3:GetObject", "al2023-" + region: "s3:GetObject",
		"amazon-ssm-" + region: "s3:GetObject", "aws-ssm-" + region: "s3:GetObject",
		"cloudformation-custom-resource-response-" + strings.ReplaceAll(region, "-", ""): "s3:PutObject",
	}
}

// checkEgress checks that the way out of the VPC is the one internetEgress asks for.
func checkEgress(t *Template, f StackFacts) []Failure {
	fails := securityGroupsEgress(t, f)
	if f.InternetEgress {
		return fails
	}
	if n := len(t.Resources("AWS::EC2::NatGateway")); n > 0 {
		fails = append(fails, Failure{"", fmt.Sprintf("%d NAT gateway(s), but internetEgress is false", n)})
	}
	return append(fails, s3EndpointPolicy(t, f)...)
}

// securityGroupsEgress checks that only load balancers admit the internet,
// and that security groups send only where internetEgress allows.
func securityGroupsEgress(t *Template, f StackFacts) []Failure {
	var fails []Failure
	lbSGs := lbSecurityGroups(t)
	prefixLists := map[string]bool{}
	for _, r := range t.Declared(IdentityS3PrefixList) {
		if strings.Contains(flatten(r.Properties()["Create"]), `"prefix-list-name","Values":["com.amazonaws.`+f.Region+`.s3"]`) {
			prefixLists[r.LogicalID] = true
		}
	}
	for _, sg := range t.Resources("AWS::EC2::SecurityGroup") {
		for _, r := range ingressRules(t, sg.LogicalID) {
			if r.fromInternet() && !lbSGs[sg.LogicalID] {
				fails = append(fails, Failure{r.path, "admits " + r.String() + ", but only load balancers may admit the internet"})
			}
		}
		for _, e := range egressDetails(t, sg.LogicalID) {
			switch {
			case e.source != "" || e.cidr == "255.255.255.255/32": // a security group; CDK's placeholder that allows nothing
			case !f.InternetEgress && e.prefixList != "" && prefixLists[e.prefixList]:
			case f.InternetEgress && e.fromInternet() && e.allowsOnly(443):
			case f.InternetEgress:
				fails = append(fails, Failure{e.path, "allows egress of " + e.String() + "; only HTTPS may leave for the internet"})
			default:
				fails = append(fails, Failure{e.path, "allows egress of " + e.String() + "; without internetEgress, only security groups and the S3 prefix list looked up at deployment are allowed"})
			}
		}
	}
	return fails
}

// s3EndpointPolicy checks that the S3 gateway endpoint exists and its
// policy admits only the account's buckets and the AWS buckets it names,
// each for the one action it needs.
func s3EndpointPolicy(t *Template, f StackFacts) []Failure {
	s3 := endpoint(t, "s3", "Gateway")
	if s3 == nil {
		return []Failure{{"", "no S3 gateway endpoint, the only way to S3 without internet egress"}}
	}
	doc, ok := s3.Get("PolicyDocument")
	if !ok {
		return []Failure{{s3.Path(), "has no policy, so it admits every bucket of every account: a way out for data"}}
	}
	var fails []Failure
	for _, s := range Statements(doc) {
		if !s.Allows() || s.ConditionEquals("StringEquals", "aws:ResourceAccount", f.WorkloadAccount) {
			continue
		}
		for _, r := range s.Resources {
			bucket := strings.TrimSuffix(strings.TrimPrefix(flatten(r), "arn:aws:s3:::"), "/*")
			action, known := awsOwnedBuckets(f.Region)[bucket]
			if !known {
				fails = append(fails, Failure{s3.Path(), "admits " + flatten(r) + ", which is neither the account's nor an AWS bucket the instances need"})
				continue
			}
			for _, a := range s.Actions {
				if !strings.EqualFold(a, action) {
					fails = append(fails, Failure{s3.Path(), fmt.Sprintf("allows %s on %s; only %s is needed", a, flatten(r), action)})
				}
			}
		}
	}
	return fails
}
