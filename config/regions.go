package config

import (
	"fmt"
	"slices"
	"strings"
)

// KnownRegions are the regions of the commercial AWS partition, as the AWS
// CDK's region-info lists them (TestKnownRegionsMatchCDK in test/ fails when
// the pinned CDK knows a region this list lacks). governedRegions accepts
// these only.
var KnownRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
	"eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1", "me-central-1", "me-south-1", "me-west-1", "mx-central-1", "sa-east-1",
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// GovernedRegions returns the regions whose security baseline the app
// deploys in both accounts: the home region first, then the others as
// configured.
func (c *Config) GovernedRegions() []string {
	out := []string{c.Region}
	if c.Regions == "" {
		return out
	}
	for _, r := range strings.Split(c.Regions, ",") {
		if r = strings.TrimSpace(r); r != c.Region {
			out = append(out, r)
		}
	}
	return out
}

// OtherRegions returns the governed regions but the home region.
func (c *Config) OtherRegions() []string { return c.GovernedRegions()[1:] }

func validRegionList(s string) string {
	seen := map[string]bool{}
	for _, r := range strings.Split(s, ",") {
		r = strings.TrimSpace(r)
		if !slices.Contains(KnownRegions, r) {
			return fmt.Sprintf("%q is not a region of the commercial AWS partition", r)
		}
		if seen[r] {
			return r + " is listed twice"
		}
		seen[r] = true
	}
	return ""
}

// checkRegions: the home region must be governed.
func (c *Config) checkRegions() []error {
	if c.Regions == "" || slices.Contains(strings.Split(strings.ReplaceAll(c.Regions, " ", ""), ","), c.Region) {
		return nil
	}
	return []error{&Problem{Key: "governedRegions", Value: c.Regions, Message: fmt.Sprintf("does not include region (%s), where the stacks and the home of the baseline are; list it too", c.Region)}}
}
