//! `errors.rs`: a typed error for every error code of the API.

use super::docs::doc;
use super::types::ident;
use crate::model::Api;
use crate::names::rust as names;
use proc_macro2::TokenStream;
use quote::quote;

/// Parameter names as struct fields, unique within the error.
fn param_idents(params: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in params {
        let mut id = names::ident(p);
        while out.contains(&id) {
            id = format!("{}_", names::bare(&id));
        }
        out.push(id);
    }
    out
}

pub fn errors(api: &Api) -> TokenStream {
    let mut variants = Vec::new();
    let mut from_arms = Vec::new();
    let mut code_arms = Vec::new();
    let mut params_arms = Vec::new();
    for e in &api.errors {
        let v = ident(&names::variant(&e.code));
        let code = &e.code;
        let edoc = doc(&e.description, Some(&e.lifecycle));
        let fields: Vec<_> = param_idents(&e.params).iter().map(|p| ident(p)).collect();
        let idx = 0..fields.len();
        if fields.is_empty() {
            variants.push(quote!(#edoc #v));
            from_arms.push(quote!(#code => ApiError::#v));
            params_arms.push(quote!(ApiError::#v => Vec::new()));
        } else {
            variants.push(quote!(#edoc #v { #(#fields: String),* }));
            from_arms.push(quote!(#code => ApiError::#v { #(#fields: p(#idx)),* }));
            params_arms.push(quote!(ApiError::#v { #(#fields),* } => vec![#(#fields.as_str()),*]));
        }
        code_arms.push(if fields.is_empty() {
            quote!(ApiError::#v => #code)
        } else {
            quote!(ApiError::#v { .. } => #code)
        });
    }
    quote! {
        //! Errors: every error code of the API as a typed value, and the
        //! error type of client calls.

        /// An error a XenAPI server reported, with its parameters by name.
        /// Codes this version does not know arrive as [`ApiError::Unknown`].
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum ApiError {
            #(#variants,)*
            /// An error code this version of the bindings does not know.
            Unknown {
                /// The code as sent.
                code: String,
                /// Its parameters, in order.
                params: Vec<String>,
            },
        }

        impl ApiError {
            /// Builds the typed error from a wire error description: the
            /// code then its parameters. Missing parameters are empty.
            pub fn from_description(description: &[String]) -> ApiError {
                let Some(code) = description.first() else {
                    return ApiError::Unknown { code: String::new(), params: Vec::new() };
                };
                let p = |i: usize| description.get(i + 1).cloned().unwrap_or_default();
                match code.as_str() {
                    #(#from_arms,)*
                    _ => ApiError::Unknown { code: code.clone(), params: description[1..].to_vec() },
                }
            }

            /// The error code as it travels on the wire.
            pub fn code(&self) -> &str {
                match self {
                    #(#code_arms,)*
                    ApiError::Unknown { code, .. } => code,
                }
            }

            /// The parameters, in wire order.
            pub fn params(&self) -> Vec<&str> {
                match self {
                    #(#params_arms,)*
                    ApiError::Unknown { params, .. } => params.iter().map(String::as_str).collect(),
                }
            }

            /// The wire error description: the code then its parameters.
            pub fn to_description(&self) -> Vec<String> {
                std::iter::once(self.code()).chain(self.params()).map(str::to_string).collect()
            }
        }

        impl std::fmt::Display for ApiError {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())?;
                for p in self.params() {
                    write!(f, " {p:?}")?;
                }
                Ok(())
            }
        }

        impl std::error::Error for ApiError {}

        /// Why a client call failed: the server reported an API error, or
        /// the call did not complete (transport, encoding, decoding).
        #[derive(Debug)]
        pub enum Error {
            /// The server answered with an error.
            Api(ApiError),
            /// The call failed before an answer could be read.
            Call(xenapi_rt::CallError),
        }

        impl Error {
            /// The API error, if the server reported one.
            pub fn api(&self) -> Option<&ApiError> {
                match self {
                    Error::Api(e) => Some(e),
                    Error::Call(_) => None,
                }
            }
        }

        impl std::fmt::Display for Error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    Error::Api(e) => write!(f, "the server reported {e}"),
                    Error::Call(e) => write!(f, "{e}"),
                }
            }
        }

        impl std::error::Error for Error {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                match self {
                    Error::Api(e) => Some(e),
                    Error::Call(e) => Some(e),
                }
            }
        }

        impl From<ApiError> for Error {
            fn from(e: ApiError) -> Self {
                Error::Api(e)
            }
        }

        impl From<xenapi_rt::CallError> for Error {
            fn from(e: xenapi_rt::CallError) -> Self {
                match e {
                    xenapi_rt::CallError::Failure { code, params } => {
                        let mut d = Vec::with_capacity(params.len() + 1);
                        d.push(code);
                        d.extend(params);
                        Error::Api(ApiError::from_description(&d))
                    }
                    other => Error::Call(other),
                }
            }
        }
    }
}
