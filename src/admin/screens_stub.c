/* screens_stub.c — placeholder */
#include "admin.h"
#define STUB(fn, role)                                                                             \
    void fn(void *app, http_request *req, const http_params *params, http_response *res)           \
    {                                                                                              \
        const admin_user *u = admin_require(app, req, res, role);                                  \
        if (!u) return;                                                                            \
        admin_message(app, req, u, 200, "Coming soon", "This screen is being built.", res);        \
    }
STUB(admin_comments_page, ADMIN_ROLE_EDITOR)
STUB(admin_comments_action, ADMIN_ROLE_EDITOR)
STUB(admin_comments_reply, ADMIN_ROLE_EDITOR)
STUB(admin_topics_page, ADMIN_ROLE_EDITOR)
STUB(admin_topics_save, ADMIN_ROLE_EDITOR)
STUB(admin_settings_page, ADMIN_ROLE_ADMIN)
STUB(admin_settings_save, ADMIN_ROLE_ADMIN)
STUB(admin_users_page, ADMIN_ROLE_ADMIN)
STUB(admin_users_save, ADMIN_ROLE_ADMIN)
