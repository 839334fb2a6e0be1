package config

import (
	"fmt"
	"math/bits"
	"net/netip"
	"strings"
)

// minSubnetPrefix is the smallest subnet the VPC may be cut into: /27 leaves
// the 8 free addresses a load balancer needs in each of its subnets, with room
// for NAT gateways, endpoints and a database.
const minSubnetPrefix = 27

// subnetTiers is the number of subnets per zone: public, private, isolated.
const subnetTiers = 3

// AZs returns the availability zones of the VPC: the configured AZ IDs
// (ByZoneID), the configured names, or the first AZCount lettered zones of
// the region.
func (n Network) AZs(region string) []string {
	if n.ZoneIDs != "" {
		return splitList(n.ZoneIDs)
	}
	if n.Zones != "" {
		return splitList(n.Zones)
	}
	zs := make([]string, n.AZCount)
	for i := range zs {
		zs[i] = region + string(rune('a'+i))
	}
	return zs
}

// splitList splits a comma-separated setting into its trimmed items.
func splitList(s string) []string {
	items := strings.Split(s, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

// ByZoneID says that AZs are AZ IDs (availabilityZoneIds), by which the
// subnets are placed, rather than zone names.
func (n Network) ByZoneID() bool { return n.ZoneIDs != "" }

// ZoneIDPrefix is what every AZ ID of region starts with: the region code's
// area, the initials of its direction and its number, then "-az" (us-east-1:
// use1-az, ap-northeast-1: apne1-az, eu-central-2: euc2-az; AWS Regions and
// Availability Zones, "AZ IDs"); "" for a code of another shape.
func ZoneIDPrefix(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return ""
	}
	initials := map[string]string{"north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
		"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}[parts[1]]
	if initials == "" {
		return ""
	}
	return parts[0] + initials + parts[2] + "-az"
}

// NATs is the number of NAT gateways: NatGateways with InternetEgress, none
// without.
func (n Network) NATs() int {
	if !n.InternetEgress {
		return 0
	}
	return n.NatGateways
}

// SubnetPrefix is the prefix length of every subnet: the VPC's range split
// evenly into subnetTiers subnets per zone.
func (n Network) SubnetPrefix() int {
	p, err := netip.ParsePrefix(n.CIDR)
	if err != nil {
		return 0
	}
	return p.Bits() + bits.Len(uint(subnetTiers*n.AZCount-1))
}

// check applies the network rules that involve more than one key.
func (n Network) check(region string) []error {
	var ps []error
	if n.Zones != "" {
		zs := splitList(n.Zones)
		if len(zs) != n.AZCount {
			ps = append(ps, &Problem{Key: "availabilityZones", Value: n.Zones, Message: fmt.Sprintf("lists %d zone(s) but azCount is %d; list exactly azCount zones, or set azCount to %d", len(zs), n.AZCount, len(zs))})
		}
		for _, z := range zs {
			if !strings.HasPrefix(z, region) || len(z) != len(region)+1 {
				ps = append(ps, &Problem{Key: "availabilityZones", Value: n.Zones, Message: fmt.Sprintf("zone %s is not in region %s", z, region)})
			}
		}
	}
	if n.ZoneIDs != "" {
		if n.Zones != "" {
			ps = append(ps, &Problem{Key: "availabilityZoneIds", Value: n.ZoneIDs, Message: "is set together with availabilityZones (" + n.Zones + "); the subnets are placed either by zone ID or by name: keep one"})
		}
		zs := splitList(n.ZoneIDs)
		if len(zs) != n.AZCount {
			ps = append(ps, &Problem{Key: "availabilityZoneIds", Value: n.ZoneIDs, Message: fmt.Sprintf("lists %d zone(s) but azCount is %d; list exactly azCount zones, or set azCount to %d", len(zs), n.AZCount, len(zs))})
		}
		if prefix := ZoneIDPrefix(region); prefix != "" {
			for _, z := range zs {
				if reZoneID.MatchString(z) && !strings.HasPrefix(z, prefix) {
					ps = append(ps, &Problem{Key: "availabilityZoneIds", Value: n.ZoneIDs, Message: fmt.Sprintf("zone %s is not in region %s, whose AZ IDs start with %s (aws ec2 describe-availability-zones --region %s lists them)", z, region, prefix, region)})
				}
			}
		}
	}
	if n.InternetEgress && n.NatGateways > n.AZCount {
		ps = append(ps, &Problem{Key: "natGateways", Value: n.NatGateways, Message: fmt.Sprintf("exceeds azCount (%d): there is one public subnet per zone to hold a NAT gateway", n.AZCount)})
	}
	if sp := n.SubnetPrefix(); sp > minSubnetPrefix {
		ps = append(ps, &Problem{Key: "vpcCidr", Value: n.CIDR, Message: fmt.Sprintf("is too small for %d zones: %d subnets of /%d; each subnet must be /%d or larger, so use a shorter prefix or fewer zones (azCount)", n.AZCount, subnetTiers*n.AZCount, sp, minSubnetPrefix)})
	}
	return ps
}
