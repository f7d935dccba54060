//go:build !unix

package secret

// noFollow: O_EXCL already refuses an existing path, symlinks included.
const noFollow = 0
