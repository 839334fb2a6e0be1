package compliance

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/controls"
)

// GuardRulesDir is where `npm ci` puts AWS Control Tower's proactive
// controls as cfn-guard rules (the npm package @cdklabs/cdk-validator-cfnguard,
// pinned in package.json), relative to the repository's root.
const GuardRulesDir = "node_modules/@cdklabs/cdk-validator-cfnguard/rules/control-tower/cfn-guard"

var (
	reGuardType = regexp.MustCompile(`"(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)"`)
	reGuardID   = regexp.MustCompile(`\[(CT\.[A-Z0-9]+\.PR\.[0-9]+)\]`)
	// The rule a Control Tower file reports its findings under: the one
	// that applies to CloudFormation templates (the others are its helpers).
	reGuardRule = regexp.MustCompile(`(?m)^rule\s+([A-Za-z0-9_]+)\s+when\s+is_cfn_template`)
)

// Guard adds the Control Tower proactive controls to the built-in
// CloudFormation validation of app, so that `cdk synth` evaluates them on
// every template; with the feature flag
// @aws-cdk/core:validateAgainstDefaultRules (cdk.json) a failure fails the
// synthesis. Only the rules that name a resource type the app has are
// loaded: a rule on an absent type has nothing to check. Each exception of
// controls.GuardExceptions that applies to profile is acknowledged on the
// resources whose construct path it names, and nowhere else. Call it once
// every stack is built.
func Guard(app awscdk.App, dir, profile string) error {
	present := map[string]bool{}
	var resources []awscdk.CfnResource
	for _, c := range *app.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if *awscdk.CfnResource_IsCfnResource(c) {
			r := c.(awscdk.CfnResource)
			present[*r.CfnResourceType()] = true
			resources = append(resources, r)
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.guard"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no Control Tower guard rules under %s: run npm ci first (make synth does)", dir)
	}
	sort.Strings(files)
	var rules []*awscdk.ValidationRuleSource
	names := map[string][]string{} // Control Tower ID -> its guard rule names
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		text := string(src)
		types := reGuardType.FindAllStringSubmatch(text, -1)
		use := len(types) == 0
		for _, m := range types {
			use = use || present[m[1]]
		}
		if !use {
			continue
		}
		rules = append(rules, &awscdk.ValidationRuleSource{Name: jsii.String(filepath.Base(f)), Content: jsii.String(text)})
		if id := reGuardID.FindStringSubmatch(text); id != nil {
			for _, m := range reGuardRule.FindAllStringSubmatch(text, -1) {
				names[id[1]] = append(names[id[1]], m[1])
			}
		}
	}
	awscdk.Validations_Of(app).AddPlugins(awscdk.NewCloudFormationValidatePlugin(&awscdk.CloudFormationValidatePluginProps{
		GuardRules:          &rules,
		IncludeDefaultRules: jsii.Bool(true),
	}))
	for _, r := range resources {
		path := *r.Node().Path()
		for _, e := range controls.GuardExceptions {
			if !e.Applies(e.Rule, path, profile) {
				continue
			}
			for _, n := range names[e.Rule] {
				awscdk.Validations_Of(r).Acknowledge(&awscdk.Acknowledgment{
					Id:     jsii.String("CloudFormation-Validate::" + n),
					Reason: jsii.String(e.Rule + ": " + e.Reason),
				})
			}
		}
	}
	return nil
}
