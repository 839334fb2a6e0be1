package compliance

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Packs lists the cdk-nag packs that the gate runs, by the rule-ID prefix
// each one reports under.
var Packs = []string{"AwsSolutions", "NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"}

// Apply attaches every pack to scope (the app, so that every stack is
// checked). An unsuppressed finding is an error annotation, which fails the
// synthesis; with reports, each pack also writes a JSON report per stack
// into the cloud assembly (<pack>--<stack>-NagReport.json), which cdk-nag
// appends to line by line, most of a second of a synthesis.
func Apply(scope constructs.IConstruct, reports bool) {
	props := func() *cdknag.NagPackProps {
		return &cdknag.NagPackProps{
			Verbose:       jsii.Bool(true),
			Reports:       jsii.Bool(reports),
			ReportFormats: &[]cdknag.NagReportFormat{cdknag.NagReportFormat_JSON},
		}
	}
	aspects := awscdk.Aspects_Of(scope)
	aspects.Add(cdknag.NewAwsSolutionsChecks(props()), nil)
	aspects.Add(cdknag.NewNIST80053R5Checks(props()), nil)
	aspects.Add(cdknag.NewHIPAASecurityChecks(props()), nil)
	aspects.Add(cdknag.NewPCIDSS321Checks(props()), nil)
}

// Suppress records why the cdk-nag rules do not apply to c and its children.
// Pass the narrowest construct the rules flag (an L1 resource such as
// bucket.Node().DefaultChild()), so nothing else is exempted. The reason must
// say why for this resource, not merely that it is accepted.
func Suppress(c constructs.IConstruct, reason string, rules ...string) {
	s := make([]*cdknag.NagPackSuppression, len(rules))
	for i, r := range rules {
		s[i] = &cdknag.NagPackSuppression{Id: jsii.String(r), Reason: jsii.String(reason)}
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &s, jsii.Bool(true))
}

// SuppressAwsCustomResourceFunction records, on the function that every
// AwsCustomResource of stack shares (CDK makes one per stack), why the
// rules it trips do not apply; what says what the function does.
func SuppressAwsCustomResourceFunction(stack awscdk.Stack, what string) {
	fn := stack.Node().TryFindChild(jsii.String("AWS679f53fac002430cb0da5b7982bd2287"))
	if fn == nil {
		return
	}
	Suppress(fn, what+"; it reaches only AWS APIs, runs at most once per deployment, and CloudFormation, not a queue, retries it",
		"NIST.800.53.R5-LambdaInsideVPC", "HIPAA.Security-LambdaInsideVPC", "PCI.DSS.321-LambdaInsideVPC",
		"NIST.800.53.R5-LambdaConcurrency", "HIPAA.Security-LambdaConcurrency",
		"NIST.800.53.R5-LambdaDLQ", "HIPAA.Security-LambdaDLQ")
}
