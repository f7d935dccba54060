//go:build !unix

package iostreams

// claimClosedStdio: only Unix hands a closed standard descriptor to the
// next file opened.
func claimClosedStdio() (closed [3]bool) { return closed }
