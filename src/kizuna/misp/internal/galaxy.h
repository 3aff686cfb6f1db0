// Kizuna. MISP galaxy clusters as STIX domain objects (ATT&CK and the other galaxies).
#pragma once

// A cluster becomes the SDO its galaxy's type names: mitre-attack-pattern and
// attack-pattern an attack-pattern, mitre-malware and the malware families (malware,
// ransomware, rat, banker, botnet, stealer, backdoor, android, exploit-kit) a malware,
// mitre-tool and tool a tool, mitre-intrusion-set and intrusion-set an intrusion-set,
// threat-actor (and microsoft-activity-group) a threat-actor, mitre-course-of-action a
// course-of-action; any other galaxy a custom x-misp-galaxy-cluster. ATT&CK clusters
// ("Spearphishing Attachment - T1566.001") are named without the id, which becomes an
// external reference of source "mitre-attack"; meta.kill_chain gives kill_chain_phases and
// meta.synonyms the aliases where the type has them.
// Thread-safety: stateless.

#include <boost/json.hpp>
#include <string_view>

namespace kizuna::misp_internal {

// Returns the STIX type of the clusters of galaxy type `galaxy_type`.
std::string_view ClusterType(std::string_view galaxy_type);

// Adds to `sdo` (which holds the common properties of `type`) the properties of `cluster`
// of galaxy `galaxy`: name, description, aliases, kill chain phases, references.
void AddClusterProperties(std::string_view type, std::string_view galaxy_type,
                          const boost::json::object& cluster, boost::json::object& sdo);

}  // namespace kizuna::misp_internal
