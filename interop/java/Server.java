/*
 * Zendesk Chat Accounts API (GET/PUT /api/v2/chat/account): a zoo member written the way a Java
 * developer would write it from the docs page, on the JDK's com.sun.net.httpserver.HttpServer and
 * Jackson databind 2.14 POJO binding with the ObjectMapper's defaults, changed only where a default
 * breaks a rule of the requirement catalog (each change says why).
 *
 * Env: PORT (listens on 127.0.0.1), OWNER_TOKEN, ADMIN_TOKEN, AGENT_TOKEN (Bearer tokens),
 * SUPPORT_CREATED=1 (account created in Zendesk Support: every PUT gets 403), FAULT=<name>.
 *
 * Planted faults (FAULT=name; empty or unset: conformant):
 *   coercion          -> ROBUST-INVALID-REJECTED: Jackson's default scalar coercion is left on, so
 *                        {"billing":{"email":12}} is stored as "12", "3" binds to cycle, 1.5 to 1.
 *   late-content-type -> SHAPE-CONTENT-TYPE: the 200 account response sets Content-Type after
 *                        sendResponseHeaders(); HttpServer has already written the headers, so the
 *                        header is silently lost.
 *   null-body         -> ROBUST-HTTP: no null check on the bound body; a PUT whose body is the JSON
 *                        literal null binds to a null Account, the handler throws a
 *                        NullPointerException and HttpServer closes the connection with no response.
 */

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonView;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public class Server {
    static final String PATH = "/api/v2/chat/account";
    static final String ALLOW = "GET, HEAD, PUT";
    static final int MAX_BODY = 64 * 1024;

    static final String FAULT = env("FAULT", "");
    static final boolean SUPPORT_CREATED = "1".equals(env("SUPPORT_CREATED", ""));
    static final String OWNER_TOKEN = env("OWNER_TOKEN", "java-owner-token");
    static final String ADMIN_TOKEN = env("ADMIN_TOKEN", "java-admin-token");
    static final String AGENT_TOKEN = env("AGENT_TOKEN", "java-agent-token");

    enum Role { OWNER, ADMIN, AGENT }

    /** Jackson views: billing is serialized only with the Owner view. */
    static final class Views {
        static class Admin {}
        static class Owner extends Admin {}
    }

    @JsonPropertyOrder({"account_key", "billing", "create_date", "plan", "status"})
    public static class Account {
        // READ_ONLY: serialized, but ignored whatever a PUT body gives for them.
        @JsonProperty(value = "account_key", access = JsonProperty.Access.READ_ONLY)
        public String accountKey;
        @JsonView(Views.Owner.class)
        public Billing billing;
        @JsonProperty(value = "create_date", access = JsonProperty.Access.READ_ONLY)
        public String createDate;
        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        public Map<String, Object> plan;
        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        public String status;

        public Account() {}

        Account(String accountKey, Billing billing, String createDate, Map<String, Object> plan, String status) {
            this.accountKey = accountKey;
            this.billing = billing;
            this.createDate = createDate;
            this.plan = plan;
            this.status = status;
        }
    }

    // Boxed types so that a field the PUT does not name (or names as null) stays null and is skipped
    // when merging; NON_NULL so that such a field is never written.
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Billing {
        public String additionalInfo;
        public String address1;
        public String address2;
        public String city;
        public String company;
        public String countryCode;
        public Long cycle; // the docs give no bound: Long rather than Integer
        public String email;
        public String firstName;
        public String lastName;
        public String phone;
        public String postalCode;
        public String state;
    }

    static final ObjectMapper MAPPER = buildMapper();
    static final Object LOCK = new Object();
    // Replaced, never mutated, under LOCK: a GET always serializes one consistent account.
    static volatile Account account;

    static ObjectMapper buildMapper() {
        JsonMapper.Builder b = JsonMapper.builder()
                // Default false: "{...} trailing garbage" would bind; RFC 8259 says it is not JSON.
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        if (!"coercion".equals(FAULT)) {
            // Default coercion binds "12" to a number field and 1.5 to 1; the catalog asks 4xx.
            b.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        }
        ObjectMapper m = b.build();
        if (!"coercion".equals(FAULT)) {
            // ... and binds 12 or true to a String field; the catalog asks 4xx for that too.
            m.coercionConfigFor(LogicalType.Textual)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
            // ... and binds a blank string ("  ") to a number field as null, whatever the MapperFeature.
            m.coercionConfigFor(LogicalType.Integer).setAcceptBlankAsEmpty(false);
        }
        return m;
    }

    static Account initialAccount() {
        Billing b = new Billing();
        b.additionalInfo = "";
        b.address1 = "123 Fictional Street";
        b.address2 = "";
        b.city = "West Fiction";
        b.company = "John and Friends";
        b.countryCode = "US";
        b.cycle = 1L;
        b.email = "johndoe@zendesk.com";
        b.firstName = "Jonathan";
        b.lastName = "Doe";
        b.phone = "+12(1)123456";
        b.postalCode = "12345";
        b.state = "Oklahoma";
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("analytics", false);
        plan.put("file_upload", true);
        plan.put("integrations", true);
        plan.put("long_desc", "Ideal for most Lean Teams to Engage Customers.");
        plan.put("max_advanced_triggers", 2);
        plan.put("max_agents", 2);
        plan.put("max_basic_triggers", 2);
        plan.put("max_concurrent_chats", "unlimited");
        plan.put("max_departments", 2);
        plan.put("max_history_search_days", "unlimited");
        plan.put("name", "team");
        plan.put("operating_hours", false);
        plan.put("short_desc", "Great for Lean Teams");
        plan.put("weekly_reports", false);
        plan.put("widget_customization", "full");
        return new Account("zendesk-chat-account-key", b, "2014-08-06T11:02:09Z", plan, "active");
    }

    public static void main(String[] args) throws IOException {
        account = initialAccount();
        // HttpServer leaves Nagle on by default; keep-alive responses would stall on delayed ACKs.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(env("PORT", "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(8, 2 * Runtime.getRuntime().availableProcessors()));
        server.setExecutor(pool);
        server.createContext("/", Server::handle);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            pool.shutdownNow();
        }));
        server.start();
        System.out.println("listening on http://127.0.0.1:" + port + PATH + (FAULT.isEmpty() ? "" : " FAULT=" + FAULT));
    }

    static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!PATH.equals(ex.getRequestURI().getPath())) {
                sendError(ex, 404, "NotFound", "no such resource");
                return;
            }
            String method = ex.getRequestMethod();
            boolean read = method.equals("GET") || method.equals("HEAD");
            if (!read && !method.equals("PUT")) {
                ex.getResponseHeaders().set("Allow", ALLOW);
                sendError(ex, 405, "MethodNotAllowed", "the account supports " + ALLOW);
                return;
            }
            Role role = authenticate(ex);
            if (role == null) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                sendError(ex, 401, "Unauthorized", "a valid 'Authorization: Bearer <token>' header is required");
            } else if (read) {
                if (role == Role.AGENT) {
                    sendError(ex, 403, "Forbidden", "showing the account is allowed for admins only");
                } else {
                    sendAccount(ex, account, role);
                }
            } else {
                update(ex, role);
            }
        }
    }

    static void update(HttpExchange ex, Role role) throws IOException {
        if (SUPPORT_CREATED) {
            sendError(ex, 403, "Forbidden", "the account was created in Zendesk Support: only GET requests are allowed");
            return;
        }
        if (role != Role.OWNER) {
            sendError(ex, 403, "Forbidden", "updating the account is allowed for the account owner only");
            return;
        }
        Headers rq = ex.getRequestHeaders();
        String encoding = rq.getFirst("Content-Encoding");
        if (!isJson(rq.get("Content-Type")) || (encoding != null && !encoding.trim().equalsIgnoreCase("identity"))) {
            sendError(ex, 415, "UnsupportedMediaType", "the body must be sent as Content-Type: application/json");
            return;
        }
        byte[] raw;
        try (InputStream in = ex.getRequestBody()) {
            raw = in.readNBytes(MAX_BODY + 1);
        }
        if (raw.length > MAX_BODY) {
            sendError(ex, 413, "PayloadTooLarge", "the body is larger than " + MAX_BODY + " bytes");
            return;
        }
        Account body;
        try {
            // RFC 8259 asks UTF-8; Jackson would also guess UTF-16/32 and let some ill-formed
            // sequences through, so decode strictly first.
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
            body = MAPPER.readValue(text, Account.class);
        } catch (CharacterCodingException e) {
            sendError(ex, 400, "BadRequest", "the body is not UTF-8");
            return;
        } catch (JacksonException e) {
            sendError(ex, 400, "BadRequest", "invalid body: " + e.getOriginalMessage());
            return;
        }
        Account updated;
        synchronized (LOCK) {
            Account cur = account;
            Billing billing = cur.billing;
            // A body of JSON null binds to a null Account: taken as "not sent", nothing to change.
            Billing patch = body == null && !"null-body".equals(FAULT) ? null : body.billing;
            if (patch != null) {
                // Copy, then overlay the fields the body names (nulls are not written, so not merged).
                billing = MAPPER.updateValue(MAPPER.convertValue(cur.billing, Billing.class), patch);
            }
            updated = new Account(cur.accountKey, billing, cur.createDate, cur.plan, cur.status);
            account = updated;
        }
        sendAccount(ex, updated, role);
    }

    static boolean isJson(List<String> contentTypes) {
        if (contentTypes == null || contentTypes.size() != 1) return false;
        String[] parts = contentTypes.get(0).split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) return false;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv[0].trim().equalsIgnoreCase("charset") && kv.length == 2
                    && !kv[1].trim().replace("\"", "").equalsIgnoreCase("utf-8")) return false;
        }
        return true;
    }

    static Role authenticate(HttpExchange ex) {
        List<String> values = ex.getRequestHeaders().get("Authorization");
        if (values == null || values.size() != 1) return null;
        String h = values.get(0).trim();
        int sp = h.indexOf(' ');
        if (sp < 0 || !h.substring(0, sp).equalsIgnoreCase("Bearer")) return null;
        String token = h.substring(sp + 1).trim();
        if (token.isEmpty()) return null;
        if (same(token, OWNER_TOKEN)) return Role.OWNER;
        if (same(token, ADMIN_TOKEN)) return Role.ADMIN;
        if (same(token, AGENT_TOKEN)) return Role.AGENT;
        return null;
    }

    static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    static void sendAccount(HttpExchange ex, Account a, Role role) throws IOException {
        Class<?> view = role == Role.OWNER ? Views.Owner.class : Views.Admin.class;
        byte[] json = MAPPER.writerWithView(view).writeValueAsBytes(a);
        if ("late-content-type".equals(FAULT)) {
            ex.sendResponseHeaders(200, isHead(ex) ? -1 : json.length);
            ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            if (!isHead(ex)) ex.getResponseBody().write(json);
            return;
        }
        send(ex, 200, json);
    }

    static void sendError(HttpExchange ex, int status, String error, String description) throws IOException {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("description", description);
        send(ex, status, MAPPER.writeValueAsBytes(body));
    }

    static void send(HttpExchange ex, int status, byte[] json) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (isHead(ex)) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, json.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(json);
        }
    }

    static boolean isHead(HttpExchange ex) {
        return ex.getRequestMethod().equals("HEAD");
    }

    static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? def : v;
    }

}
