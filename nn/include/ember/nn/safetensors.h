// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length, a JSON header naming each tensor's dtype, shape and byte range, then the bytes.
// What `serialize` writes is byte-for-byte what the safetensors library writes for the same
// tensors: entries ordered by dtype (widest first) then name, the header padded with spaces to a
// multiple of 8. `deserialize` accepts exactly the files that library accepts.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "ember/nn/module.h"

namespace ember::safetensors {

using Metadata = std::map<std::string, std::string>;

struct Contents {
  nn::NamedTensors tensors;  // CPU tensors, in file order
  Metadata metadata;     // the optional "__metadata__" strings
};

std::string serialize(const nn::NamedTensors& tensors, const Metadata& metadata = {});
// `source` names the bytes in error messages (a path).
Contents deserialize(std::string_view bytes, const std::string& source = "<memory>");

void save_file(const nn::NamedTensors& tensors, const std::string& path, const Metadata& metadata = {});
Contents load_file(const std::string& path);

}  // namespace ember::safetensors

namespace ember::nn {

// Writes module.state_dict() (parameters and buffers), with metadata {"format": "pt"} as
// safetensors.torch.save_model does.
void save(const Module& module, const std::string& path);
// Copies a saved state into the module's tensors (casting dtype, moving device); throws naming
// every missing, unexpected or mis-shaped tensor before changing anything.
void load(Module& module, const std::string& path);

}  // namespace ember::nn
