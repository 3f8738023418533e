//! What a gRPC client knows of the services and messages: a descriptor pool (prost-reflect)
//! filled from the built-in files, `.proto` sources compiled in-process (protox: no `protoc`),
//! FileDescriptorSets, or a server's reflection. Method names are resolved here in every form
//! people type them (`Service/Method`, `pkg.Service/Method`, `pkg.Service.Method`,
//! `/pkg.Service/Method`, a bare `Method` when it is unique), with the nearest names offered for
//! one that is not there.

use prost::Message;
use prost_reflect::{DescriptorPool, MethodDescriptor, ServiceDescriptor};
use prost_types::{FileDescriptorProto, FileDescriptorSet};
use protox::file::{
    ChainFileResolver, File, FileResolver, GoogleFileResolver, IncludeFileResolver,
};
use std::path::{Path, PathBuf};

/// `google.rpc.Status` and its standard error details, built in.
const RPC_STATUS: &str = include_str!("proto/google/rpc/status.proto");
const RPC_ERROR_DETAILS: &str = include_str!("proto/google/rpc/error_details.proto");

/// The files compiled into the built-in schema: the well-known types and google.rpc's.
const BUILTIN_FILES: &[&str] = &[
    "google/protobuf/any.proto",
    "google/protobuf/api.proto",
    "google/protobuf/duration.proto",
    "google/protobuf/empty.proto",
    "google/protobuf/field_mask.proto",
    "google/protobuf/source_context.proto",
    "google/protobuf/struct.proto",
    "google/protobuf/timestamp.proto",
    "google/protobuf/type.proto",
    "google/protobuf/wrappers.proto",
    "google/rpc/status.proto",
    "google/rpc/error_details.proto",
];

/// The services, methods and messages known, with where they came from.
#[derive(Debug, Clone)]
pub struct Schema {
    pool: DescriptorPool,
    /// The services the server offers (its reflection's list, or those of `--schema` files), as
    /// opposed to those merely known (the built-in ones).
    offered: Vec<String>,
}

impl Schema {
    /// The built-in schema, known without any file: the well-known types, `grpc.health.v1`,
    /// `grpc.reflection.v1` and `v1alpha`, `google.rpc.Status` and its error details.
    pub fn builtin() -> Result<Schema, String> {
        // Compiled once per process: a pool clone shares its descriptors.
        static BUILTIN: std::sync::OnceLock<Result<Schema, String>> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(Schema::compile_builtin).clone()
    }

    fn compile_builtin() -> Result<Schema, String> {
        let mut schema = Schema {
            pool: DescriptorPool::new(),
            offered: Vec::new(),
        };
        let mut compiler = protox::Compiler::with_file_resolver(builtin_resolver());
        compiler.include_imports(true);
        for name in BUILTIN_FILES {
            compiler.open_file(name).map_err(|e| e.to_string())?;
        }
        schema.add_set(compiler.file_descriptor_set())?;
        for bytes in [
            tonic_health::pb::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
        ] {
            schema
                .pool
                .decode_file_descriptor_set(bytes)
                .map_err(|e| e.to_string())?;
        }
        Ok(schema)
    }

    /// The descriptor pool.
    pub fn pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// Adds `--schema FILE`: a FileDescriptorSet (`.protoset`, `.binpb`) or a `.proto` source,
    /// told apart by content. A source is compiled with its own directory, `import_paths` and the
    /// built-in files to find its imports; a missing import names the file and the
    /// `--import-path` that would find it.
    pub fn add_file(&mut self, path: &Path, import_paths: &[PathBuf]) -> Result<(), String> {
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "cannot read --schema {}: {}",
                path.display(),
                crate::error::plain(&e)
            )
        })?;
        let set = match as_descriptor_set(&bytes) {
            Some(set) => set,
            None => compile(path, import_paths)?,
        };
        self.add_offered_set(set)
    }

    /// Adds an encoded FileDescriptorSet whose services are offered (`rpc serve`'s own).
    pub fn add_encoded_set(&mut self, bytes: &[u8]) -> Result<(), String> {
        let set = FileDescriptorSet::decode(bytes).map_err(|e| e.to_string())?;
        self.add_offered_set(set)
    }

    fn add_offered_set(&mut self, set: FileDescriptorSet) -> Result<(), String> {
        for file in &set.file {
            let package = file.package();
            for service in &file.service {
                let name = match package {
                    "" => service.name().to_owned(),
                    package => format!("{package}.{}", service.name()),
                };
                self.offer(name);
            }
        }
        self.add_set(set)
    }

    /// Marks a service as offered by the server (listed by its reflection).
    pub fn offer(&mut self, service: String) {
        if !self.offered.contains(&service) {
            self.offered.push(service);
        }
    }

    /// Adds files as a server's reflection sent them (each encoded `FileDescriptorProto`).
    pub fn add_encoded_files(&mut self, files: &[Vec<u8>]) -> Result<(), String> {
        let files = files
            .iter()
            .map(|bytes| FileDescriptorProto::decode(bytes.as_slice()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                format!("the server's reflection sent a file that is not a descriptor ({e})")
            })?;
        self.add_set(FileDescriptorSet { file: files })
    }

    fn add_set(&mut self, set: FileDescriptorSet) -> Result<(), String> {
        // Files already known (the well-known types above all) are skipped.
        let new: Vec<FileDescriptorProto> = set
            .file
            .into_iter()
            .filter(|file| self.pool.get_file_by_name(file.name()).is_none())
            .collect();
        self.pool
            .add_file_descriptor_protos(new)
            .map_err(|e| format!("the schema does not hold together: {e}"))
    }

    /// The services the server offers, in the order they were listed.
    pub fn services(&self) -> impl Iterator<Item = ServiceDescriptor> + '_ {
        self.offered
            .iter()
            .filter_map(|name| self.pool.get_service_by_name(name))
    }

    /// The method `name`, in any form people type it; the error names the nearest methods.
    pub fn method(&self, name: &str) -> Result<MethodDescriptor, String> {
        let wanted = name.trim_start_matches('/');
        let (service, method) = match wanted.rsplit_once('/') {
            Some((service, method)) => (Some(service), method),
            None => match wanted.rsplit_once('.') {
                Some((service, method)) if self.find_service(service).is_some() => {
                    (Some(service), method)
                }
                _ => (None, wanted),
            },
        };
        let candidates: Vec<MethodDescriptor> = match service {
            Some(service) => self
                .find_service(service)
                .map(|s| s.methods().filter(|m| m.name() == method).collect())
                .unwrap_or_default(),
            None => self
                .services()
                .flat_map(|s| s.methods().collect::<Vec<_>>())
                .filter(|m| m.name() == method)
                .collect(),
        };
        match candidates.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(self.not_found(name)),
            many => Err(format!(
                "{name} is ambiguous: {} (name the service)",
                many.iter().map(method_name).collect::<Vec<_>>().join(", ")
            )),
        }
    }

    /// A service by full name, or by its short name when that is unique.
    fn find_service(&self, name: &str) -> Option<ServiceDescriptor> {
        if let Some(service) = self.pool.get_service_by_name(name) {
            return Some(service);
        }
        let mut short = self.pool.services().filter(|s| s.name() == name);
        match (short.next(), short.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    fn not_found(&self, name: &str) -> String {
        let all: Vec<String> = self
            .services()
            .flat_map(|s| s.methods().map(|m| method_name(&m)).collect::<Vec<_>>())
            .collect();
        let near = nearest(name.trim_start_matches('/'), &all);
        if near.is_empty() {
            format!("no method {name} on this server (`rpc list` shows the methods)")
        } else {
            format!(
                "no method {name} on this server; did you mean {}? (`rpc list` shows the methods)",
                near.join(" or ")
            )
        }
    }
}

/// `pkg.Service/Method` (`Service/Method` without a package): how `rpc list` shows a method.
pub fn method_name(method: &MethodDescriptor) -> String {
    format!("{}/{}", method.parent_service().full_name(), method.name())
}

/// The names closest to `wanted` (edit distance, case-insensitive; the method part counts too),
/// at most three, only those close enough to be a plausible typo.
fn nearest(wanted: &str, names: &[String]) -> Vec<String> {
    let wanted = wanted.to_ascii_lowercase();
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .map(|name| {
            let lower = name.to_ascii_lowercase();
            let method = lower.rsplit('/').next().unwrap_or(&lower).to_owned();
            (
                distance(&wanted, &lower).min(distance(&wanted, &method)),
                name,
            )
        })
        .filter(|(d, _)| *d <= (wanted.len() / 3).max(2))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n.clone()).collect()
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The bytes as a FileDescriptorSet, when they are one: it decodes, and every file has a name.
fn as_descriptor_set(bytes: &[u8]) -> Option<FileDescriptorSet> {
    let set = FileDescriptorSet::decode(bytes).ok()?;
    let named = !set.file.is_empty() && set.file.iter().all(|f| f.name().ends_with(".proto"));
    named.then_some(set)
}

/// The built-in sources, for imports of `google/rpc/*.proto` and the well-known types.
fn builtin_resolver() -> ChainFileResolver {
    let mut chain = ChainFileResolver::new();
    chain.add(Sources(&[
        ("google/rpc/status.proto", RPC_STATUS),
        ("google/rpc/error_details.proto", RPC_ERROR_DETAILS),
    ]));
    chain.add(GoogleFileResolver::new());
    chain
}

/// `.proto` sources held in memory, by file name, for protox.
pub struct Sources(pub &'static [(&'static str, &'static str)]);

impl FileResolver for Sources {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.0.iter().find(|(file, _)| *file == name) {
            Some((_, source)) => File::from_source(name, source),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// Compiles in-memory `sources` (importing the well-known types and the built-in files) into one
/// encoded FileDescriptorSet with every import.
pub fn compile_sources(
    sources: &'static [(&'static str, &'static str)],
) -> Result<Vec<u8>, String> {
    let mut chain = ChainFileResolver::new();
    chain.add(Sources(sources));
    chain.add(builtin_resolver());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.include_imports(true);
    compiler
        .open_files(sources.iter().map(|(name, _)| *name))
        .map_err(|e| e.to_string())?;
    Ok(compiler.encode_file_descriptor_set())
}

/// Compiles `path` with its directory and `import_paths` as include directories.
fn compile(path: &Path, import_paths: &[PathBuf]) -> Result<FileDescriptorSet, String> {
    let own_dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let mut chain = ChainFileResolver::new();
    for dir in import_paths.iter().chain(std::iter::once(&own_dir)) {
        chain.add(IncludeFileResolver::new(dir.clone()));
    }
    chain.add(builtin_resolver());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.include_imports(true);
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    let opened = match import_paths.iter().find(|dir| path.starts_with(dir)) {
        Some(dir) => compiler.open_file(path.strip_prefix(dir).unwrap_or(path)),
        None => compiler.open_file(&name),
    };
    opened.map_err(|e| compile_error(&e, path, import_paths))?;
    Ok(compiler.file_descriptor_set())
}

/// The first import of the source at `path` that no include directory (nor the built-in files)
/// holds.
fn missing_import(path: &Path, import_paths: &[PathBuf]) -> Option<String> {
    let source = std::fs::read_to_string(path).ok()?;
    let own_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let builtin = builtin_resolver();
    imports_of(&source).into_iter().find(|name| {
        let on_disk = import_paths
            .iter()
            .chain(std::iter::once(&own_dir))
            .any(|dir| dir.join(name).is_file());
        !on_disk && builtin.open_file(name).is_err()
    })
}

/// The files a `.proto` source imports (`import "x.proto";`, `import public "y.proto";`).
fn imports_of(source: &str) -> Vec<String> {
    source
        .split(';')
        .filter_map(|statement| {
            let statement = statement.trim_start();
            let rest = statement.strip_prefix("import")?;
            let quoted = rest
                .trim_start()
                .trim_start_matches("public")
                .trim_start_matches("weak");
            let quoted = quoted.trim().trim_matches('"').trim_matches('\'');
            (!quoted.is_empty() && !quoted.contains(char::is_whitespace)).then(|| quoted.to_owned())
        })
        .collect()
}

/// A compile error in words; a missing import names the directory that would find it.
fn compile_error(e: &protox::Error, path: &Path, import_paths: &[PathBuf]) -> String {
    let shown = path.display();
    if !e.is_file_not_found() {
        return format!("--schema {shown} does not compile: {e}");
    }
    let Some(missing) = missing_import(path, import_paths) else {
        return format!("--schema {shown}: {e}");
    };
    let missing = missing.as_str();
    let searched: Vec<String> = import_paths
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let hint = match find_import(missing, path) {
        Some(dir) => format!("add --import-path {}", dir.display()),
        None => "add --import-path DIR for the directory DIR/".to_owned() + missing + " is in",
    };
    let searched = if searched.is_empty() {
        String::new()
    } else {
        format!(" (searched {})", searched.join(", "))
    };
    format!("--schema {shown} imports {missing}, which is not found{searched}: {hint}")
}

/// A directory near `path` under which `missing` exists: the file's own directory, its
/// ancestors, their immediate subdirectories (`../shared`, `../third_party`), the current one.
fn find_import(missing: &str, path: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(path).ok()?;
    let mut near: Vec<PathBuf> = Vec::new();
    for ancestor in start.ancestors().skip(1).take(4) {
        near.push(ancestor.to_path_buf());
        let children = std::fs::read_dir(ancestor).into_iter().flatten().flatten();
        near.extend(children.take(200).map(|entry| entry.path()));
    }
    near.extend(std::env::current_dir().ok());
    near.into_iter().find(|dir| dir.join(missing).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../server/grpc/routetable.proto");

    fn seed_schema() -> Schema {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("routetable.proto");
        std::fs::write(&path, SEED).unwrap();
        let mut schema = Schema::builtin().unwrap();
        schema.add_file(&path, &[]).unwrap();
        schema
    }

    #[test]
    fn builtin_knows_health_reflection_and_rpc_status() {
        let schema = Schema::builtin().unwrap();
        for name in [
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
        ] {
            assert!(schema.pool().get_service_by_name(name).is_some(), "{name}");
        }
        for name in [
            "google.rpc.Status",
            "google.rpc.ErrorInfo",
            "google.protobuf.Timestamp",
        ] {
            assert!(schema.pool().get_message_by_name(name).is_some(), "{name}");
        }
    }

    #[test]
    fn methods_resolve_in_every_form_package_less_too() {
        let schema = seed_schema();
        for form in [
            "Router/GetRoute",
            "/Router/GetRoute",
            "Router.GetRoute",
            "GetRoute",
        ] {
            assert_eq!(
                method_name(&schema.method(form).unwrap()),
                "Router/GetRoute"
            );
        }
        let health = schema.method("grpc.health.v1.Health/Check").unwrap();
        assert_eq!(method_name(&health), "grpc.health.v1.Health/Check");
        assert_eq!(
            method_name(&schema.method("Health/Check").unwrap()),
            "grpc.health.v1.Health/Check"
        );
        let typo = schema.method("Router/GetRoutes").unwrap_err();
        assert!(typo.contains("did you mean Router/GetRoute"), "{typo}");
    }

    #[test]
    fn protosets_are_told_apart_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("routetable.proto");
        std::fs::write(&source, SEED).unwrap();
        let set = compile(&source, &[]).unwrap();
        let protoset = dir.path().join("seed.bin");
        std::fs::write(&protoset, set.encode_to_vec()).unwrap();
        let mut schema = Schema::builtin().unwrap();
        schema.add_file(&protoset, &[]).unwrap();
        assert!(schema.method("ListRoutes").is_ok());
    }

    #[test]
    fn a_missing_import_names_the_import_path_that_finds_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("shared/types")).unwrap();
        std::fs::write(
            dir.path().join("shared/types/point.proto"),
            "syntax = \"proto3\"; message Point { int32 x = 1; }",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("api")).unwrap();
        let api = dir.path().join("api/svc.proto");
        std::fs::write(
            &api,
            "syntax = \"proto3\"; import \"types/point.proto\"; service S { rpc M(Point) returns (Point); }",
        )
        .unwrap();
        let mut schema = Schema::builtin().unwrap();
        let error = schema.add_file(&api, &[]).unwrap_err();
        assert!(error.contains("imports types/point.proto"), "{error}");
        let shared = std::fs::canonicalize(dir.path().join("shared")).unwrap();
        assert!(
            error.contains(&format!("--import-path {}", shared.display())),
            "{error}"
        );
        schema.add_file(&api, &[dir.path().join("shared")]).unwrap();
        assert!(schema.method("S/M").is_ok());
    }
}
