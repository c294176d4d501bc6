// Turning a SIP message typed with bare LF line ends (a text editor, a heredoc) into the
// CRLF wire form before it is parsed, keeping its Content-Length truthful.
#ifndef SMC_CLI_LINE_ENDS_H_
#define SMC_CLI_LINE_ENDS_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace smc::cli {

struct CrlfConversion {
  std::string text;        // the message with every bare LF turned into CRLF
  bool converted = false;  // the input had at least one bare LF
  // Set when the conversion lengthened the body and the Content-Length header had counted
  // the body as typed (with LF): the header now counts the CRLF body instead.
  bool content_length_fixed = false;
  size_t old_content_length = 0;
  size_t new_content_length = 0;
};

// Converts every LF not preceded by CR into CRLF, in the header section and the body
// alike. When that changes the body's length and the first Content-Length (or `l`) header
// equals the length of the body as typed, rewrites its digits to the new body length; any
// other Content-Length is left for the parser to judge. Input without bare LF is returned
// unchanged (converted == false).
CrlfConversion ConvertBareLfToCrlf(std::string_view input);

}  // namespace smc::cli

#endif  // SMC_CLI_LINE_ENDS_H_
