#pragma once

// A minimal PNG reader for screenshot checks: validates the signature and chunk CRCs, reads
// IHDR, inflates IDAT (zlib) and undoes the scanline filters of 8-bit RGB / RGBA images, so
// a test can tell a rendered page from a blank one. Not a general decoder: no palette, no
// interlacing, no 16-bit.

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace greengate::client::testing {

struct PngImage {
  uint32_t width = 0;
  uint32_t height = 0;
  int channels = 0;             // 3 (RGB) or 4 (RGBA)
  std::vector<uint8_t> pixels;  // row-major, unfiltered
};

inline uint32_t ReadBe32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(s[at + 3])};
}

// The decoded image, or nullopt with `error` set.
inline std::optional<PngImage> DecodePng(const std::string& data, std::string* error) {
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  if (data.compare(0, kSignature.size(), kSignature) != 0) {
    *error = "not a PNG signature";
    return std::nullopt;
  }
  PngImage image;
  std::string idat;
  bool ended = false;
  for (size_t at = kSignature.size(); at + 12 <= data.size() && !ended;) {
    const uint32_t length = ReadBe32(data, at);
    if (at + 12 + length > data.size()) break;
    const std::string type = data.substr(at + 4, 4);
    const std::string body = data.substr(at + 8, length);
    const uLong crc = crc32(crc32(0L, Z_NULL, 0),
                            reinterpret_cast<const Bytef*>(data.data() + at + 4), length + 4);
    if (crc != ReadBe32(data, at + 8 + length)) {
      *error = "bad CRC in chunk " + type;
      return std::nullopt;
    }
    if (type == "IHDR") {
      image.width = ReadBe32(body, 0);
      image.height = ReadBe32(body, 4);
      const int depth = static_cast<uint8_t>(body[8]);
      const int color = static_cast<uint8_t>(body[9]);
      const int interlace = static_cast<uint8_t>(body[12]);
      if (depth != 8 || (color != 2 && color != 6) || interlace != 0) {
        *error = "unsupported PNG layout";
        return std::nullopt;
      }
      image.channels = color == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat += body;
    } else if (type == "IEND") {
      ended = true;
    }
    at += 12 + length;
  }
  if (!ended || image.channels == 0) {
    *error = "truncated PNG";
    return std::nullopt;
  }
  const size_t stride = size_t{image.width} * image.channels;
  std::vector<uint8_t> raw((stride + 1) * image.height);
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
          Z_OK ||
      raw_size != raw.size()) {
    *error = "IDAT does not inflate to the image size";
    return std::nullopt;
  }
  image.pixels.resize(stride * image.height);
  const int bpp = image.channels;
  for (uint32_t y = 0; y < image.height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    uint8_t* out = &image.pixels[y * stride];
    const uint8_t* up = y > 0 ? &image.pixels[(y - 1) * stride] : nullptr;
    for (size_t x = 0; x < stride; ++x) {
      const int a = x >= static_cast<size_t>(bpp) ? out[x - bpp] : 0;
      const int b = up != nullptr ? up[x] : 0;
      const int c = (up != nullptr && x >= static_cast<size_t>(bpp)) ? up[x - bpp] : 0;
      int predictor = 0;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) / 2;
          break;
        case 4: {
          const int p = a + b - c;
          const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
          break;
        }
        default:
          *error = "bad scanline filter";
          return std::nullopt;
      }
      out[x] = static_cast<uint8_t>(in[x] + predictor);
    }
  }
  return image;
}

// Distinct RGB colours and the share of pixels that differ from the top-left one.
struct PngStats {
  size_t colors = 0;
  double non_background_share = 0;
};

inline PngStats Stats(const PngImage& image) {
  std::set<uint32_t> colors;
  size_t different = 0;
  const size_t n = size_t{image.width} * image.height;
  const auto rgb = [&](size_t i) {
    const uint8_t* p = &image.pixels[i * image.channels];
    return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  };
  const uint32_t background = n > 0 ? rgb(0) : 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t c = rgb(i);
    if (colors.size() < 100000) colors.insert(c);
    if (c != background) ++different;
  }
  return PngStats{colors.size(), n > 0 ? static_cast<double>(different) / n : 0};
}

}  // namespace greengate::client::testing
