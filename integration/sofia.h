// The one place sofia-sip headers are included from: its callbacks carry "magic" context
// pointers whose types must be set by macros before the first sofia header is read, and
// every translation unit must see the same ones.
#ifndef SMC_INTEGRATION_SOFIA_H_
#define SMC_INTEGRATION_SOFIA_H_

namespace smc::proxy {
class Proxy;
class WakeupPipe;
struct Transaction;
}  // namespace smc::proxy

#define SU_ROOT_MAGIC_T smc::proxy::Proxy
// The one kind of object that registers a descriptor with the root (see wakeup_pipe.h).
#define SU_WAKEUP_ARG_T smc::proxy::WakeupPipe
#define SU_TIMER_ARG_T smc::proxy::Proxy
#define NTA_AGENT_MAGIC_T smc::proxy::Proxy
#define NTA_LEG_MAGIC_T smc::proxy::Proxy
#define NTA_INCOMING_MAGIC_T smc::proxy::Transaction
#define NTA_OUTGOING_MAGIC_T smc::proxy::Transaction

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>

#endif  // SMC_INTEGRATION_SOFIA_H_
