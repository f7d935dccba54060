// Package get is `replex tokens get`.
package get

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmdutil"
)

// Options of `replex tokens get`.
type Options struct{ F *cmdutil.Factory }

// NewCmdGet builds the command.
func NewCmdGet(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	return &cobra.Command{Use: "get", Hidden: true}
}
