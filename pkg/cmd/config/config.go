// Package config groups `replex config` commands.
package config

import (
	"github.com/spf13/cobra"

	"github.com/replexio/replex/pkg/cmd/config/get"
	"github.com/replexio/replex/pkg/cmd/config/list"
	"github.com/replexio/replex/pkg/cmd/config/set"
	"github.com/replexio/replex/pkg/cmd/config/use"
	"github.com/replexio/replex/pkg/cmdutil"
)

// NewCmdConfig builds `replex config`.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Read and change the config file and its profiles",
		// This text is also the topic 'replex help config' (and its man
		// page), so it is the whole configuration reference.
		Long: `Read and change replex's config file, the first of
$REPLEX_CONFIG_DIR/config.yaml, $XDG_CONFIG_HOME/replex/config.yaml and
~/.config/replex/config.yaml. A missing file is an empty configuration.
replex writes it atomically, mode 0600 in a 0700 directory, and warns when
either is readable by others.

replex needs a base URL, an organization and an API token. For each, the
first of these that is set wins:

  setting       flag        environment       config file      default
  profile       --profile   REPLEX_PROFILE    current_profile  default
  base URL      --base-url  REPLEX_BASE_URL   base_url         the hosted API
  organization  --org       REPLEX_ORG        org              none: exit 2
  token         (never)     REPLEX_API_TOKEN  keyring, token   none: exit 4

The hosted API is https://replex.replex.io. The token never comes from a
flag, which would put it in shell history and the process list.
'replex auth status' shows each value in force and where it came from.

A profile is a named set of connection settings: base_url, org and where
its token is kept. 'replex auth login --profile NAME' and
'replex config set KEY VALUE --profile NAME' create one. A profile named by
--profile or REPLEX_PROFILE must exist (only "default" may be absent):
otherwise the command is a usage error that lists the profiles. Names are
lower-case letters, digits, '-' and '_', at most 63 characters.

  current_profile: work
  profiles:
    work:
      base_url: https://replex.replex.io
      org: org_123
      token_storage: keyring         # the token is in the OS keyring
      token_id: ak_0123456789abcdef  # recorded at login or rotation
      token_expires: "2027-01-31T00:00:00Z"

Keys of a profile: base_url (without /api/v1; a trailing /api/v1 is
dropped), org, token_storage (keyring, or file after 'auth login
--insecure-storage', when the token is in the file as token), token_id and
token_expires (so that replex warns before its own token expires). Keys
are read in any case; a key that is none of these is ignored, with a
warning on every run that names its line.

'replex auth login' checks the token against the organization and keeps it
in the OS keyring (macOS Keychain, Windows Credential Manager, the Secret
Service on Linux); where there is none it refuses unless --insecure-storage
is given. REPLEX_API_TOKEN, when set, takes precedence over a stored token.
See also 'replex help environment'.`,
		Example: `  replex config list
  replex config set org org_123 --profile staging
  replex config get base_url
  replex config use-profile staging`,
	}
	cmd.AddCommand(get.NewCmdGet(f, nil))
	cmd.AddCommand(set.NewCmdSet(f, nil))
	cmd.AddCommand(list.NewCmdList(f, nil))
	cmd.AddCommand(use.NewCmdUse(f, nil))
	return cmd
}
