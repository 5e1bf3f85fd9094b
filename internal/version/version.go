// Package version holds the toolkit's version string, written into model
// files and exports so that a file says which build produced it.
package version

// Version is the toolkit's semantic version.
const Version = "0.1.0"
