// A small XML well-formedness checker (for exported SVG in tests and after export): one root
// element, properly nested and matching tags, quoted attributes without duplicates, known entity
// references, comments / processing instructions / CDATA skipped.
//
//   std::string why;
//   bool ok = xml_well_formed(svg_text, &why);   // why: "line 12: </g> closes <path>"
#pragma once
#include <string>
#include <vector>

namespace xl {

bool xml_well_formed(const std::string& text, std::string* error = nullptr);
// Names of all elements in document order (after a successful check); for tests.
std::vector<std::string> xml_element_names(const std::string& text);

}  // namespace xl
