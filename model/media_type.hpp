#pragma once

#include <string_view>

namespace live_origin::model {

// Content-Type for an object, from its file extension (case-insensitive). Packagers send none
// (ffmpeg sets no Content-Type), so the origin decides from the name, the way CDNs and players expect.
std::string_view media_type_for(std::string_view object_name);

}  // namespace live_origin::model
