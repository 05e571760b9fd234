#include "model/media_type.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace live_origin::model {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 9> media_types{{
    {"m4s", "video/mp4"},
    {"mp4", "video/mp4"},
    {"ts", "video/mp2t"},
    {"mpd", "application/dash+xml"},
    {"m3u8", "application/vnd.apple.mpegurl"},
    {"aac", "audio/aac"},
    {"m4a", "audio/mp4"},
    {"vtt", "text/vtt"},
    {"json", "application/json"},
}};

constexpr std::string_view fallback = "application/octet-stream";

}  // namespace

std::string_view media_type_for(std::string_view object_name) {
  auto last_slash = object_name.rfind('/');
  std::string_view file = last_slash == std::string_view::npos ? object_name : object_name.substr(last_slash + 1);
  auto dot = file.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == file.size()) return fallback;
  std::string extension(file.substr(dot + 1));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [known, type] : media_types)
    if (extension == known) return type;
  return fallback;
}

}  // namespace live_origin::model
