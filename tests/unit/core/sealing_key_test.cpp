// The key that seals provider passwords: what it seals opens only with the
// same key, the same context and unaltered bytes; its file is private.
#include "lienthong/core/sealing_key.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace lienthong {
namespace {

const SealingKey& key_a() {
  static const SealingKey key = SealingKey::from_bytes(std::string(32, 'a'));
  return key;
}

TEST(SealingKey, WhatIsSealedOpensWithTheSameKeyAndContextOnly) {
  const std::string secret = "m\u1EADt kh\u1EA9u: hunter2";
  const std::string sealed = key_a().seal(secret, "system 7");
  EXPECT_EQ(sealed.find("hunter2"), std::string::npos);
  EXPECT_EQ(sealed.size(), 12 + secret.size() + 16);
  ASSERT_EQ(key_a().open(sealed, "system 7"), secret);

  EXPECT_FALSE(key_a().open(sealed, "system 8").has_value()) << "moved to another row";
  const SealingKey other = SealingKey::from_bytes(std::string(32, 'b'));
  EXPECT_FALSE(other.open(sealed, "system 7").has_value());
  EXPECT_NE(other.key_id(), key_a().key_id());
  for (std::size_t i : {std::size_t{0}, std::size_t{12}, sealed.size() - 1}) {
    std::string altered = sealed;
    altered[i] = static_cast<char>(altered[i] ^ 1);
    EXPECT_FALSE(key_a().open(altered, "system 7").has_value()) << "byte " << i;
  }
  EXPECT_FALSE(key_a().open(sealed.substr(0, 20), "system 7").has_value());
  // A fresh nonce each time: the same secret never seals the same way twice.
  EXPECT_NE(key_a().seal(secret, "system 7"), sealed);
}

TEST(SealingKey, ItsFileIsCreatedPrivateAndReadBack) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("lt-sealing-key-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "provider-credentials.key").string();

  const SealingKey created = SealingKey::load_or_create(path);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  const SealingKey loaded = SealingKey::load_or_create(path);
  EXPECT_EQ(loaded.key_id(), created.key_id());
  EXPECT_EQ(loaded.open(created.seal("pw", "c"), "c"), "pw");

  ::chmod(path.c_str(), 0644);
  EXPECT_THROW(SealingKey::load_or_create(path), std::runtime_error) << "readable by everyone";
  std::ofstream(dir / "short.key") << "abcd\n";
  ::chmod((dir / "short.key").c_str(), 0600);
  EXPECT_THROW(SealingKey::load_or_create((dir / "short.key").string()), std::runtime_error);
  EXPECT_THROW(SealingKey::from_bytes("too short"), std::invalid_argument);
  std::filesystem::remove_all(dir);
}

TEST(SealingKey, DuringAKeyChangeBothKeysOpenWhatTheySealed) {
  SealingKeys keys;
  EXPECT_EQ(keys.find(key_a().key_id()), nullptr);
  keys.current = std::make_shared<const SealingKey>(SealingKey::from_bytes(std::string(32, 'n')));
  keys.previous = std::make_shared<const SealingKey>(SealingKey::from_bytes(std::string(32, 'a')));
  EXPECT_EQ(keys.find(keys.current->key_id()), keys.current.get());
  EXPECT_EQ(keys.find(key_a().key_id()), keys.previous.get()) << "the same bytes, the same id";
  EXPECT_EQ(keys.find("0000000000000000"), nullptr);
  EXPECT_THROW(SealingKey::load("/nonexistent/provider-credentials.key"), std::runtime_error);
}

}  // namespace
}  // namespace lienthong
