// Command replex administers the Replex API.
package main

import (
	"os"

	"github.com/replexio/replex/pkg/cmd/root"
)

func main() { os.Exit(root.Main()) }
