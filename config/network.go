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

// AZs returns the availability zones of the VPC: the configured names, or the
// first AZCount lettered zones of the region.
func (n Network) AZs(region string) []string {
	if n.Zones != "" {
		zs := strings.Split(n.Zones, ",")
		for i := range zs {
			zs[i] = strings.TrimSpace(zs[i])
		}
		return zs
	}
	zs := make([]string, n.AZCount)
	for i := range zs {
		zs[i] = region + string(rune('a'+i))
	}
	return zs
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
		zs := n.AZs(region)
		if len(zs) != n.AZCount {
			ps = append(ps, &Problem{Key: "availabilityZones", Value: n.Zones, Message: fmt.Sprintf("lists %d zone(s) but azCount is %d; list exactly azCount zones, or set azCount to %d", len(zs), n.AZCount, len(zs))})
		}
		for _, z := range zs {
			if !strings.HasPrefix(z, region) || len(z) != len(region)+1 {
				ps = append(ps, &Problem{Key: "availabilityZones", Value: n.Zones, Message: fmt.Sprintf("zone %s is not in region %s", z, region)})
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
