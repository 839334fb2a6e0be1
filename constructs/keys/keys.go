package keys

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/controls"
)

// Props are the inputs of a key.
type Props struct {
	// Description says what the key encrypts.
	Description string
	// Alias (optional) is an alias such as "alias/app/cloudtrail".
	Alias string
	// UsedThrough (optional) are the AWS services (such as "s3",
	// "secretsmanager", "rds") through which the account's IAM principals
	// may use the key, as far as their own IAM policies allow. The services
	// that use the key as their own service principals (CloudWatch Logs,
	// CloudTrail, Config...) get statements of their own, added by the
	// construct that knows them.
	UsedThrough []string
}

// New adds a customer-managed key to scope under id. Its policy names what
// it allows, as AWS documents for key policies, instead of CDK's default
// kms:* for the account: the account administers the key with named
// actions (controls.KeyAdminActions), among them kms:PutKeyPolicy, so that
// no key is ever unmanageable; the account's principals use it only
// through the services in UsedThrough (kms:ViaService); grants are only for
// AWS resources (KMS-2).
func New(scope constructs.Construct, id string, props *Props) awskms.Key {
	stack := awscdk.Stack_Of(scope)
	account := awsiam.NewAccountRootPrincipal()
	policy := awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AccountAdministersTheKey"),
			Principals: &[]awsiam.IPrincipal{account},
			Actions:    jsii.Strings(controls.KeyAdminActions...),
			Resources:  jsii.Strings("*"),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("GrantsOnlyForAwsResources"),
			Effect:     awsiam.Effect_DENY,
			Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
			Actions:    jsii.Strings("kms:CreateGrant"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"BoolIfExists": map[string]any{
				"kms:GrantIsForAWSResource": "false",
				"aws:PrincipalIsAWSService": "false",
			}},
		}),
	}})
	if len(props.UsedThrough) > 0 {
		via := make([]string, len(props.UsedThrough))
		for i, s := range props.UsedThrough {
			via[i] = fmt.Sprintf("%s.%s.amazonaws.com", s, *stack.Region())
		}
		var viaService any = via
		if len(via) == 1 {
			viaService = via[0]
		}
		policy.AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AccountUsesTheKeyThroughItsServices"),
			Principals: &[]awsiam.IPrincipal{account},
			Actions:    jsii.Strings(controls.KeyUseActions...),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"StringEquals": map[string]any{
				"kms:CallerAccount": *stack.Account(),
				"kms:ViaService":    viaService,
			}},
		}))
	}
	var alias *string
	if props.Alias != "" {
		alias = jsii.String(props.Alias)
	}
	return awskms.NewKey(scope, jsii.String(id), &awskms.KeyProps{
		Alias:             alias,
		Description:       jsii.String(props.Description),
		EnableKeyRotation: jsii.Bool(true),
		PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		Policy:            policy,
	})
}
