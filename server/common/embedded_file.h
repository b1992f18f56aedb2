#pragma once

// A file compiled into the binary by cmake/Embed.cmake (data tables, SQL migrations).

namespace greengate {

struct EmbeddedFile {
  const char* name;      // base name, e.g. "0001_init.sql"
  const char* contents;  // the whole file
};

}  // namespace greengate
