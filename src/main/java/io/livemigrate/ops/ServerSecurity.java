package io.livemigrate.ops;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may read the server ({@link ServerAccess}): with credentials, every path but {@code /actuator/health} (for
 * load balancers) needs HTTP basic authentication; without (loopback only), every path is open. Nothing else of
 * Spring Security's defaults: no login form, no generated password, no session. CSRF protection is off because the
 * server offers no operation that changes anything (only GETs are mapped; Actuator endpoints are read-only), and
 * a POST must reach the dispatcher to be refused as such (405) rather than as a missing token.
 */
@Configuration(proxyBeanMethods = false)
class ServerSecurity {

    @Bean
    SecurityFilterChain serverFilterChain(HttpSecurity http, ServerAccess access) throws Exception {
        http.csrf(c -> c.disable())
                .logout(l -> l.disable())
                .requestCache(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        if (access.authenticates()) {
            http.authorizeHttpRequests(a -> a.requestMatchers("/actuator/health", "/actuator/health/**", "/error")
                            .permitAll().anyRequest().authenticated())
                    .httpBasic(b -> b.realmName("livemigrate"));
        }
        else {
            http.authorizeHttpRequests(a -> a.anyRequest().permitAll());
        }
        return http.build();
    }

    /** The one user; its password is kept hashed (bcrypt), so only a hash stays in the context. */
    @Bean
    UserDetailsService serverUsers(ServerAccess access) {
        InMemoryUserDetailsManager users = new InMemoryUserDetailsManager();
        if (access.authenticates()) {
            PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
            users.createUser(User.withUsername(access.user()).password(encoder.encode(access.password().reveal()))
                    .roles("OPS").build());
        }
        return users;
    }
}
