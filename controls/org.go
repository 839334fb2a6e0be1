package controls

import (
	"fmt"
	"sort"
)

func orgControls() []Control {
	cs := []Control{
		{
			ID: "ORG-1", Title: "With permissionsBoundary set, every IAM role and user of every stack, custom-resource roles included, carries that permissions boundary",
			Construct: "stacks", Role: RoleAny,
			NotApplicable: func(f StackFacts) string {
				if f.Boundary == "" {
					return "permissionsBoundary is not set"
				}
				return ""
			},
			Check: rolesBounded,
		},
		{
			ID: "ORG-2", Title: "Every taggable resource carries the tags project=<appName>, profile=<profile> and those configured in tags, CDK's custom-resource roles and functions included",
			Construct: "stacks", Role: RoleAny,
			Check: requiredTags,
		},
	}
	for i := range cs {
		cs[i].Layer, cs[i].Responsibility = LayerApp, Customer
	}
	return cs
}

// rolesBounded checks that every IAM role and user carries the permissions boundary.
func rolesBounded(t *Template, f StackFacts) []Failure {
	var fails []Failure
	for _, typ := range []string{"AWS::IAM::Role", "AWS::IAM::User"} {
		for _, r := range t.Resources(typ) {
			v, ok := r.Get("PermissionsBoundary")
			if got := flatten(v); !ok || got != f.Boundary {
				fails = append(fails, Failure{r.Path(), fmt.Sprintf("its permissions boundary is %v, not %s", orNone(v), f.Boundary)})
			}
		}
	}
	return fails
}

// requiredTags checks that every taggable resource carries the required tags.
func requiredTags(t *Template, f StackFacts) []Failure {
	var fails []Failure
	keys := make([]string, 0, len(f.Tags))
	for k := range f.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tagged := 0
	for _, r := range t.all() {
		v, ok := r.Get("Tags")
		if !ok {
			if taggableTypes[r.Type] && len(keys) > 0 {
				fails = append(fails, Failure{r.Path(), "carries no tags, though " + r.Type + " takes them"})
			}
			continue
		}
		tagged++
		have := tagsOf(v)
		for _, k := range keys {
			if got, ok := have[k]; !ok || got != f.Tags[k] {
				fails = append(fails, Failure{r.Path(), fmt.Sprintf("lacks the tag %s=%s", k, f.Tags[k])})
			}
		}
	}
	if tagged == 0 && len(keys) > 0 {
		fails = append(fails, Failure{"", "no resource carries any tag"})
	}
	return fails
}

// taggableTypes are the resource types of this app that take Tags: each
// must carry the tags (CDK tags most; stacks.organize tags the roles and
// functions it writes as plain CloudFormation resources).
var taggableTypes = map[string]bool{
	"AWS::AccessAnalyzer::Analyzer": true, "AWS::AutoScaling::AutoScalingGroup": true, "AWS::CertificateManager::Certificate": true,
	"AWS::CloudTrail::Trail": true, "AWS::CloudWatch::Alarm": true, "AWS::EC2::EIP": true, "AWS::EC2::FlowLog": true,
	"AWS::EC2::InternetGateway": true, "AWS::EC2::NatGateway": true, "AWS::EC2::RouteTable": true, "AWS::EC2::SecurityGroup": true,
	"AWS::EC2::Subnet": true, "AWS::EC2::VPC": true, "AWS::EC2::VPCEndpoint": true, "AWS::ElasticLoadBalancingV2::LoadBalancer": true,
	"AWS::ElasticLoadBalancingV2::TargetGroup": true, "AWS::Events::Rule": true, "AWS::GuardDuty::Detector": true,
	"AWS::IAM::Role": true, "AWS::KMS::Key": true, "AWS::Lambda::Function": true, "AWS::Logs::LogGroup": true,
	"AWS::RDS::DBInstance": true, "AWS::RDS::DBParameterGroup": true, "AWS::RDS::DBSubnetGroup": true, "AWS::S3::Bucket": true,
	"AWS::SNS::Topic": true, "AWS::SecretsManager::Secret": true, "AWS::SecurityHub::Hub": true, "AWS::WAFv2::WebACL": true,
	"AWS::IAM::OIDCProvider": true,
}

// tagsOf reads a Tags property in either of CloudFormation's forms: a list
// of {Key, Value} (PropagateAtLaunch too, for Auto Scaling groups) or a map.
func tagsOf(v any) map[string]string {
	out := map[string]string{}
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			out[k] = flatten(x)
		}
		return out
	}
	for _, e := range list(v) {
		k, _ := dig(e, "Key")
		x, _ := dig(e, "Value")
		out[flatten(k)] = flatten(x)
	}
	return out
}
