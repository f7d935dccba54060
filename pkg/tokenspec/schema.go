package tokenspec

import _ "embed"

// Schema is the JSON Schema of the spec file, published as
// docs/tokens.schema.json (a test holds the two to the same bytes) and by
// `replex tokens apply --print-schema`, so that editors validate and
// complete the file.
//
//go:embed schema.json
var Schema []byte
